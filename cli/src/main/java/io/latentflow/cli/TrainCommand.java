package io.latentflow.cli;

import io.latentflow.deploy.Endpoints;
import io.latentflow.proto.Topics;
import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latentflow train}: one training run through Kafka, following its events until it ends. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    abbreviateSynopsis = true,
    description = {
        "Send one training run through Kafka and show its progress until it ends.",
        "The run is a protobuf JSON TrainingRequest on latentflow.training.requests (key = run id); its events are"
            + " read from latentflow.training.events. Options left out stay unset: the orchestrator applies the"
            + " defaults given in parentheses, and checks every value.",
        "Exit status: 0 completed, 1 failed or cancelled, 4 no end within --timeout."})
public final class TrainCommand implements Callable<Integer> {

    // "no timeout", kept short enough for the nanosecond deadline arithmetic in JobChannel.follow
    private static final Duration NO_TIMEOUT = Duration.ofDays(36_500);

    @Mixin
    TrainingOptions run;

    @Option(names = "--no-wait", description = "only submit; print the run id and return")
    boolean noWait;

    @Option(names = "--dry-run", description = "print the run's JSON record and send nothing")
    boolean dryRun;

    @Option(names = "--json", description = "print events as protobuf JSON, one per line, instead of a progress bar")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "give up waiting after this long (default: never)")
    Long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        TrainingRequest request = run.toRequest();
        if (dryRun) {
            System.out.println(ProtoJson.print(request));
            return 0;
        }
        String runId = request.getRunId();
        try (JobChannel<TrainingEvent> channel = channel(CliEnvironment.detect().endpoints())) {
            channel.send(runId, request);
            System.out.println("submitted  run " + runId + "  (./latentflow runs show " + runId + ")");
            if (noWait) {
                return 0;
            }
            Optional<TrainingEvent> end;
            try (TrainingEventPrinter printer = new TrainingEventPrinter(System.out, json, System.console() != null)) {
                end = channel.follow(runId, timeoutSeconds == null ? NO_TIMEOUT : Duration.ofSeconds(timeoutSeconds),
                    printer);
            }
            if (end.isEmpty()) {
                System.err.println("run " + runId + " did not end within " + timeoutSeconds + " s; it keeps running");
                return 4;
            }
            return end.get().getType().equals("completed") ? 0 : 1;
        }
    }

    static JobChannel<TrainingEvent> channel(Endpoints endpoints) {
        return new JobChannel<>(endpoints, Topics.TRAINING_REQUESTS, Topics.TRAINING_EVENTS,
            TrainingEvent.getDefaultInstance(), TrainingEvent::getRunId,
            event -> TrainingEventPrinter.END_TYPES.contains(event.getType()));
    }
}
