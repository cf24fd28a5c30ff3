package io.latentflow.cli;

import picocli.CommandLine;

/** Entry point of the {@code ./latentflow} launcher: runs the root command and exits with its status. */
public final class Main {

    /** Exit status of a command that failed with an exception. */
    static final int FAILURE = 1;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line, shared by {@link #main} and tests. A failing command prints its message (and
     * the stack trace only with LATENTFLOW_DEBUG=1).
     */
    public static CommandLine commandLine() {
        return new CommandLine(new LatentflowCommand())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
                if ("1".equals(System.getenv("LATENTFLOW_DEBUG"))) {
                    exception.printStackTrace(commandLine.getErr());
                } else {
                    commandLine.getErr().println("latentflow " + commandLine.getCommandName() + ": " + describe(exception));
                }
                commandLine.getErr().flush();
                return FAILURE;
            });
    }

    private static String describe(Throwable exception) {
        StringBuilder message = new StringBuilder(String.valueOf(exception.getMessage()));
        for (Throwable cause = exception.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(System.lineSeparator()).append("  caused by: ").append(cause.getMessage());
            }
        }
        return message.toString();
    }
}
