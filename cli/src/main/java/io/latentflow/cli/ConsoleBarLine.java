package io.latentflow.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;

/** The terminal line the bar is drawn on, with whole lines printed above it. */
final class ConsoleBarLine extends ConsoleProgressBarConsumer {

    private final PrintStream out;
    private String drawn = "";

    ConsoleBarLine(PrintStream out) {
        super(out);
        this.out = out;
    }

    @Override
    public synchronized void accept(String rendered) {
        drawn = rendered;
        super.accept(rendered);
    }

    /** Blanks the bar, prints {@code line} in its place and draws the bar again below it. */
    synchronized void printAbove(String line) {
        if (drawn.isEmpty()) {
            out.println(line);
            return;
        }
        out.print("\r" + " ".repeat(getMaxRenderedLength()) + "\r");
        out.println(line);
        super.accept(drawn);
    }

    @Override
    public synchronized void close() {
        super.close();
        drawn = "";
    }
}
