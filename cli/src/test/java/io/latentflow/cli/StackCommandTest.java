package io.latentflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.deploy.PortCheck;
import io.latentflow.deploy.RepositoryLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stack and services commands as a user runs them, against real processes in a private state directory. */
class StackCommandTest {

    @TempDir
    Path home;

    private final PrintStream originalOut = System.out;
    private ByteArrayOutputStream out;

    @BeforeEach
    void useTemporaryHome() {
        System.setProperty(RepositoryLayout.HOME_PROPERTY, home.toString());
        out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Main.commandLine().execute("stack", "down");
        System.setOut(originalOut);
        System.clearProperty(RepositoryLayout.HOME_PROPERTY);
    }

    private int run(String... args) {
        out.reset();
        return Main.commandLine().execute(args);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void upStatusDownOnChosenPorts() {
        int kafkaPort = PortCheck.freePort("127.0.0.1");
        int s3Port = PortCheck.freePort("127.0.0.1");
        assertEquals(0, run("stack", "up", "--kafka-port", Integer.toString(kafkaPort),
            "--controller-port", Integer.toString(PortCheck.freePort("127.0.0.1")), "--s3-port", Integer.toString(s3Port)));
        assertTrue(output().contains("kafka  127.0.0.1:" + kafkaPort), output());

        assertEquals(0, run("stack", "status"), "status finds the ports the stack was started on");
        assertTrue(output().matches("(?s)kafka\\s+UP\\s+pid \\d+\\s+127\\.0\\.0\\.1:" + kafkaPort + ".*"), output());
        assertTrue(output().contains("http://127.0.0.1:" + s3Port + " bucket latentflow"), output());

        assertEquals(3, run("services", "status"), "no service runs");
        assertEquals(0, run("services", "down"));
        assertEquals("no service was running", output().trim());

        assertEquals(0, run("stack", "down"));
        assertEquals("stopped kafka, s3proxy", output().trim());
        assertEquals(3, run("stack", "status"));
        assertTrue(output().contains("DOWN"), output());
        assertFalse(PortCheck.inUse("127.0.0.1", kafkaPort));
        assertFalse(PortCheck.inUse("127.0.0.1", s3Port));
    }
}
