package io.latentflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LatentflowCommandTest {

    @Test
    void helpNamesTheCommandAndSucceeds() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out));
        int status = commandLine.execute("--help");
        assertEquals(0, status);
        assertTrue(out.toString().startsWith("Usage: latentflow"), out.toString());
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, commandLine.execute("no-such-command"));
    }
}
