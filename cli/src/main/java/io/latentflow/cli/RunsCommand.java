package io.latentflow.cli;

import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRun;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latentflow runs}: the training runs recorded in the object store under training/<run>/. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = "Training runs as the orchestrator records them: training/<run>/run.json and metrics.jsonl.")
public final class RunsCommand implements Runnable {

    private static final String ROW = "%-36s  %-7s  %-9s  %11s  %-24s  %s";
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
             description = "One line per run, most recently updated first.")
    int list() throws Exception {
        List<TrainingRun> runs = reader().list();
        System.out.println(String.format(ROW, "RUN", "KIND", "STATE", "STEP", "OUTPUT MODEL", "UPDATED"));
        for (TrainingRun run : runs) {
            System.out.println(line(run));
        }
        return 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
             description = "A run's run.json and the losses of its last steps from metrics.jsonl.")
    int show(@Parameters(paramLabel = "RUN", description = "run id") String runId,
             @Option(names = "--last", paramLabel = "N", defaultValue = "10",
                     description = "progress rows of metrics.jsonl to show (default ${DEFAULT-VALUE})")
             int rows) throws Exception {
        TrainingRunReader reader = reader();
        Optional<TrainingRun> run = reader.find(runId);
        if (run.isEmpty()) {
            System.err.println("no run " + runId + " in " + reader.location());
            return 1;
        }
        System.out.println(ProtoJson.print(run.get()));
        List<TrainingEvent> last = reader.lastProgress(runId, rows);
        if (!last.isEmpty()) {
            System.out.println("last steps in metrics.jsonl:");
        }
        for (TrainingEvent row : last) {
            System.out.printf("  step %d/%d%s%n", row.getStep(), row.getTotalSteps(),
                TrainingEventPrinter.losses(row.getLossesMap()));
        }
        return 0;
    }

    @Command(name = "plot", mixinStandardHelpOptions = true,
             description = "Loss curves of runs as a PNG: one chart per run, every step and a moving average.")
    int plot(@Parameters(paramLabel = "RUN", arity = "1..*", description = "run ids") List<String> runIds,
             @Option(names = "--metric", paramLabel = "NAME", split = ",", defaultValue = "rec_loss,loss",
                     description = "the losses to plot, first present in a run wins (default ${DEFAULT-VALUE})")
             List<String> metrics,
             @Option(names = "--window", paramLabel = "STEPS", defaultValue = "50",
                     description = "moving-average window (default ${DEFAULT-VALUE})")
             int window,
             @Option(names = {"-o", "--out"}, defaultValue = "loss-curves.png",
                     description = "the PNG written (default ${DEFAULT-VALUE})")
             Path out) throws Exception {
        TrainingRunReader reader = reader();
        List<LossCurves.Run> runs = new ArrayList<>();
        for (String runId : runIds) {
            List<TrainingEvent> rows = reader.progress(runId);
            if (rows.isEmpty()) {
                System.err.println("no progress rows for run " + runId + " in " + reader.location());
                return 1;
            }
            String kind = reader.find(runId).map(run -> run.getRequest().getKind() + " run ").orElse("run ");
            runs.add(new LossCurves.Run(kind + runId, rows));
        }
        LossCurves.write(runs, metrics, window, out);
        System.out.println("wrote " + out);
        return 0;
    }

    static String line(TrainingRun run) {
        return String.format(ROW, run.getRunId(), run.getRequest().getKind(),
            run.getState(), run.getStep() + "/" + run.getTotalSteps(),
            TrainingOptions.modelText(run.getRequest().getOutputModel()),
            run.getUpdatedMs() == 0 ? "-" : TIME.format(Instant.ofEpochMilli(run.getUpdatedMs())));
    }

    private static TrainingRunReader reader() {
        return new TrainingRunReader(CliEnvironment.detect().endpoints());
    }
}
