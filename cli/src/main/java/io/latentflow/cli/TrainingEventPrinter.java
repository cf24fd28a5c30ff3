package io.latentflow.cli;

import io.latentflow.proto.TrainingEvent;
import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressState;

/**
 * Shows a training run's events: on a terminal a progress bar fed by progress events with a line above it for
 * each other event, elsewhere one line per event, or with {@code json} each event as one protobuf JSON line.
 */
final class TrainingEventPrinter implements Consumer<TrainingEvent>, AutoCloseable {

    static final Set<String> END_TYPES = Set.of("completed", "failed", "cancelled");

    private final PrintStream out;
    private final boolean json;
    private final boolean interactive;
    private final ConsoleBarLine barLine;
    private ProgressBar bar;
    // written here, read by the bar's render thread
    private volatile double etaSeconds;

    TrainingEventPrinter(PrintStream out, boolean json, boolean interactive) {
        this.out = out;
        this.json = json;
        this.interactive = interactive;
        this.barLine = new ConsoleBarLine(out);
    }

    @Override
    public void accept(TrainingEvent event) {
        if (json) {
            out.println(ProtoJson.line(event));
        } else if (interactive && event.getType().equals("progress")) {
            showProgress(event);
        } else if (END_TYPES.contains(event.getType())) {
            // the bar keeps its last state on its own line; the outcome goes below it
            close();
            out.println(describe(event));
        } else {
            barLine.printAbove(describe(event));
        }
        out.flush();
    }

    private void showProgress(TrainingEvent event) {
        etaSeconds = event.getEtaSeconds();
        if (bar == null) {
            bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(event.getTotalSteps())
                .setUnit(" it", 1)
                .showSpeed(new DecimalFormat("0.00"))
                .setEtaFunction(this::eta)
                .setConsumer(barLine)
                // it/s counts from the first step seen here, which is not 0 when following a resumed run
                .startsFrom(event.getStep(), Duration.ZERO)
                .setUpdateIntervalMillis(500)
                .build();
        }
        bar.maxHint(event.getTotalSteps());
        Double loss = event.getLossesMap().get("loss");
        bar.setExtraMessage(loss == null ? "" : String.format(" loss %.4g", loss));
        bar.stepTo(event.getStep());
    }

    private Optional<Duration> eta(ProgressState state) {
        if (etaSeconds > 0) {
            return Optional.of(Duration.ofMillis(Math.round(etaSeconds * 1000)));
        }
        return state.getCurrent() >= state.getMax() ? Optional.of(Duration.ZERO) : Optional.empty();
    }

    /** One readable line for an event. */
    static String describe(TrainingEvent event) {
        String text = switch (event.getType()) {
            case "progress" -> String.format("step %d/%d%s  %.1f samples/s  lr %.2e  eta %s", event.getStep(),
                event.getTotalSteps(), losses(event.getLossesMap()), event.getSamplesPerSecond(),
                event.getLearningRate(), clock(event.getEtaSeconds()));
            case "checkpoint" -> "step " + event.getStep() + "  " + event.getCheckpoint();
            case "sample" -> "step " + event.getStep() + "  " + String.join("  ", event.getSamplesList());
            case "completed" -> "published " + TrainingOptions.modelText(event.getPublished());
            case "failed" -> (event.getField().isEmpty() ? "" : event.getField() + ": ") + event.getError();
            default -> "run " + event.getRunId();
        };
        String notes = event.getNotesCount() == 0 ? "" : "  (" + String.join("; ", event.getNotesList()) + ")";
        return String.format("%-10s %s%s", event.getType(), text, notes);
    }

    /** Every loss term of a step, in the order the orchestrator wrote them. */
    static String losses(Map<String, Double> losses) {
        return losses.entrySet().stream()
            .map(term -> String.format("  %s %.4g", term.getKey(), term.getValue()))
            .collect(Collectors.joining());
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Ends the bar, leaving its last state on screen. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
