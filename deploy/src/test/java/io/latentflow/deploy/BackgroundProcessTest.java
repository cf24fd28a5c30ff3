package io.latentflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackgroundProcessTest {

    @TempDir
    Path home;

    private final List<BackgroundProcess> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        BackgroundProcess.stopAll(started, Duration.ofSeconds(1));
    }

    private BackgroundProcess start(String name, String... args) throws Exception {
        BackgroundProcess process = new BackgroundProcess(name, home.resolve("run"), home.resolve("logs"));
        started.add(process);
        List<String> arguments = new ArrayList<>(List.of(IdleProcess.class.getName()));
        arguments.addAll(List.of(args));
        process.startJava(List.of("-Xmx32m", "-cp", System.getProperty("java.class.path")), arguments, home);
        Await.until(name + " ready", Duration.ofSeconds(60), Duration.ofMillis(50),
            () -> process.logContains("ready", 0), () -> process.running().isEmpty());
        return process;
    }

    @Test
    void stopAllEndsEveryProcessAndRemovesThePidFiles() throws Exception {
        BackgroundProcess first = start("first");
        BackgroundProcess second = start("second");
        long firstPid = first.running().orElseThrow().pid();
        long secondPid = second.running().orElseThrow().pid();

        assertEquals(List.of("first", "second"), BackgroundProcess.stopAll(List.of(first, second), Duration.ofSeconds(30)));

        assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(ProcessHandle.of(secondPid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(first.pidFile()));
        assertFalse(Files.exists(second.pidFile()));
        assertEquals(List.of(), BackgroundProcess.stopAll(List.of(first, second), Duration.ofSeconds(1)));
    }

    @Test
    void detachedProcessRunsInASessionOfItsOwnUnderTheRecordedPid() throws Exception {
        System.setProperty(BackgroundProcess.DETACH_PROPERTY, "true");
        BackgroundProcess process;
        try {
            process = start("detached");
        } finally {
            System.clearProperty(BackgroundProcess.DETACH_PROPERTY);
        }
        ProcessHandle handle = process.running().orElseThrow();
        assertTrue(handle.info().command().orElseThrow().endsWith("java"), handle.info().toString());
        assertEquals(handle.pid(), sessionOf(handle.pid()), "the process leads its own session");
    }

    @Test
    void processStaysInTheCallersSessionByDefault() throws Exception {
        ProcessHandle handle = start("attached").running().orElseThrow();
        assertEquals(sessionOf(ProcessHandle.current().pid()), sessionOf(handle.pid()));
    }

    /** Session id of a process, field 6 of /proc/<pid>/stat. */
    private static long sessionOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }

    @Test
    void processIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        BackgroundProcess stubborn = start("stubborn", "ignore-sigterm");
        long pid = stubborn.running().orElseThrow().pid();
        assertTrue(stubborn.stop(Duration.ofMillis(500)));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void pidFileOfAProcessWithoutTheMarkerIsNotTakenForTheComponent() throws Exception {
        BackgroundProcess stranger = new BackgroundProcess("kafka", home.resolve("run"), home.resolve("logs"));
        Files.createDirectories(stranger.pidFile().getParent());
        Files.writeString(stranger.pidFile(), Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
        assertTrue(stranger.running().isEmpty(), "this test JVM carries no -Dlatentflow.component=kafka");
        assertFalse(stranger.stop(Duration.ofSeconds(1)), "nothing is signalled");
        assertTrue(ProcessHandle.current().isAlive());
    }

    @Test
    void logSearchLooksOnlyPastTheOffset() throws Exception {
        BackgroundProcess process = new BackgroundProcess("svc", home.resolve("run"), home.resolve("logs"));
        Files.createDirectories(process.logFile().getParent());
        Files.writeString(process.logFile(), "ERROR: Failed to start application\n", StandardCharsets.UTF_8);
        long offset = process.logSize();
        assertTrue(process.logContains("Failed to start application", 0));
        assertFalse(process.logContains("Failed to start application", offset));
        Files.writeString(process.logFile(), "started in 2.1s\nat io.x.Y(Y.java:1)\n", StandardCharsets.UTF_8,
            StandardOpenOption.APPEND);
        assertTrue(process.logContains("started in", offset));
        assertEquals("ERROR: Failed to start application\nstarted in 2.1s", process.logTail(5).replace(System.lineSeparator(), "\n"));
    }
}
