package io.latentflow.cli;

import io.latentflow.proto.Completed;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.ImageResult;
import io.latentflow.proto.EventType;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Shows a job's events: on a terminal a progress bar of its steps (with speed and ETA) and a line above it for each
 * other event, elsewhere one line per event, or with {@code json} each event as one protobuf JSON line.
 */
final class EventPrinter implements Consumer<GenerationEvent>, AutoCloseable {

    private final PrintStream out;
    private final boolean json;
    private final boolean interactive;
    private final ConsoleBarLine barLine;
    private ProgressBar bar;

    EventPrinter(PrintStream out, boolean json, boolean interactive) {
        this.out = out;
        this.json = json;
        this.interactive = interactive;
        this.barLine = new ConsoleBarLine(out);
    }

    @Override
    public void accept(GenerationEvent event) {
        if (json) {
            out.println(ProtoJson.line(event));
        } else if (interactive && event.getType() == EventType.PROGRESS) {
            showProgress(event);
            if (!event.getProgress().getPreviewKey().isEmpty()) {
                barLine.printAbove(String.format("%-10s step %d  %s", "preview", event.getProgress().getStep(),
                        event.getProgress().getPreviewKey()));
            }
        } else if (GenerationJobClient.ends(event.getType())) {
            close();
            out.println(describe(event));
        } else {
            barLine.printAbove(describe(event));
        }
        out.flush();
    }

    private void showProgress(GenerationEvent event) {
        if (bar == null) {
            bar = new ProgressBarBuilder()
                .setTaskName("steps")
                .setInitialMax(event.getProgress().getTotalSteps())
                .setConsumer(barLine)
                // speed and ETA count from the first step seen here (not 0 when following a resumed job)
                .startsFrom(event.getProgress().getStep() - 1, Duration.ZERO)
                .setUpdateIntervalMillis(250)
                .build();
        }
        bar.stepTo(event.getProgress().getStep());
    }

    /** A line of the caller's, above the bar when one is drawn. */
    void note(String line) {
        barLine.printAbove(line);
        out.flush();
    }

    /** Ends the bar, leaving its last state on screen. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    static String describe(GenerationEvent event) {
        String type = event.getType().name().toLowerCase();
        return switch (event.getType()) {
            case PROGRESS -> String.format("%-10s step %d/%d%s%s", type, event.getProgress().getStep(),
                event.getProgress().getTotalSteps(),
                event.getProgress().getLatentsKey().isEmpty() ? "" : "  latents " + event.getProgress().getLatentsKey(),
                event.getProgress().getPreviewKey().isEmpty() ? "" : "  preview " + event.getProgress().getPreviewKey());
            case COMPLETED -> String.format("%-10s %s", type, describe(event.getCompleted()));
            case FAILED -> String.format("%-10s %s%s", type,
                event.getFailure().getField().isEmpty() ? "" : event.getFailure().getField() + ": ",
                event.getFailure().getReason());
            default -> String.format("%-10s job %s", type, event.getJobId());
        };
    }

    private static String describe(Completed completed) {
        StringBuilder line = new StringBuilder();
        for (ImageResult image : completed.getImagesList()) {
            line.append(String.format("%s (%dx%d, %d bytes, seed %d)  ", image.getKey(), image.getWidth(),
                image.getHeight(), image.getSizeBytes(), image.getSeed()));
        }
        var timings = completed.getTimings();
        line.append(String.format("text encoder %d ms, denoise %d ms, vae %d ms, total %d ms",
            timings.getTextEncoderMs(), timings.getDenoiseMs(), timings.getVaeMs(), timings.getTotalMs()));
        return line.toString();
    }
}
