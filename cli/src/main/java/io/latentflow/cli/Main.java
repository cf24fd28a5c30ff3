package io.latentflow.cli;

import picocli.CommandLine;

/** Entry point of the {@code ./latentflow} launcher: runs the root command and exits with its status. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new LatentflowCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
