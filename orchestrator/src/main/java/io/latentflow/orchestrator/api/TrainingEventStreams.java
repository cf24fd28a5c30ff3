package io.latentflow.orchestrator.api;

import io.latentflow.orchestrator.training.TrainingEvents;
import io.latentflow.orchestrator.training.TrainingRuns;
import io.latentflow.orchestrator.training.TrainingTracker;
import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRun;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.Consumer;

/**
 * A run's events for every public API that follows one (gRPC Watch, the REST API's Server-Sent Events): the latest
 * event of a run going on here, then each new one until a terminal one; a run that has already ended gets its end
 * as recorded in run.json.
 */
@ApplicationScoped
public class TrainingEventStreams {

    private final TrainingTracker tracker;
    private final TrainingRuns runs;

    @Inject
    TrainingEventStreams(TrainingTracker tracker, TrainingRuns runs) {
        this.tracker = tracker;
        this.runs = runs;
    }

    /** The run's events until it ends; subscribing reads run.json, on a worker thread. */
    public Multi<TrainingEvent> follow(String runId) {
        return Multi.createFrom().<TrainingEvent>emitter(emitter -> {
            // events come from the run's thread and from here: one at a time, each once, none after the terminal one
            Object order = new Object();
            String[] lastEventId = {""};
            boolean[] ended = {false};
            Runnable[] stop = {() -> { }};
            Consumer<TrainingEvent> emit = event -> {
                synchronized (order) {
                    if (ended[0] || (!event.getEventId().isEmpty() && event.getEventId().equals(lastEventId[0]))) {
                        return;
                    }
                    lastEventId[0] = event.getEventId();
                    emitter.emit(event);
                    if (TrainingEvents.isTerminal(event.getType())) {
                        ended[0] = true;
                        stop[0].run();
                        emitter.complete();
                    }
                }
            };
            synchronized (order) {
                stop[0] = tracker.watch(runId, emit);
                emitter.onTermination(() -> stop[0].run());
                tracker.latest(runId).ifPresent(emit);
            }
            runs.find(runId).filter(run -> TrainingEvents.isTerminal(run.getState()))
                    .ifPresent(run -> emit.accept(ending(run)));
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The terminal event of an ended run, from its record. */
    private static TrainingEvent ending(TrainingRun run) {
        return TrainingEvent.newBuilder().setRunId(run.getRunId()).setType(run.getState()).setStep(run.getStep())
                .setTotalSteps(run.getTotalSteps()).setError(run.getError()).setPublished(run.getPublished())
                .setTimestampMs(run.getUpdatedMs()).build();
    }
}
