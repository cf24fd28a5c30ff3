package io.latentflow.orchestrator.api;

import io.latentflow.orchestrator.training.TrainingEvents;
import io.latentflow.orchestrator.training.TrainingRuns;
import io.latentflow.orchestrator.training.TrainingTracker;
import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRun;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
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
            Follower follower = new Follower(emitter);
            follower.start(tracker, runId);
            runs.find(runId).filter(run -> TrainingEvents.isTerminal(run.getState()))
                    .ifPresent(run -> follower.accept(ending(run)));
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * Hands a run's events to one stream, from the run's thread and the subscriber's: one at a time, each once (by
     * event id), none after the terminal one.
     */
    private static final class Follower implements Consumer<TrainingEvent> {

        private final MultiEmitter<? super TrainingEvent> emitter;
        private Runnable unwatch = () -> { };
        private String lastEventId = "";
        private boolean ended;

        Follower(MultiEmitter<? super TrainingEvent> emitter) {
            this.emitter = emitter;
        }

        /** Watches the run and sends its latest event; the run's next event waits until then. */
        synchronized void start(TrainingTracker tracker, String runId) {
            unwatch = tracker.watch(runId, this);
            emitter.onTermination(unwatch);
            tracker.latest(runId).ifPresent(this);
        }

        @Override
        public synchronized void accept(TrainingEvent event) {
            if (ended || (!event.getEventId().isEmpty() && event.getEventId().equals(lastEventId))) {
                return;
            }
            lastEventId = event.getEventId();
            emitter.emit(event);
            if (TrainingEvents.isTerminal(event.getType())) {
                ended = true;
                unwatch.run();
                emitter.complete();
            }
        }
    }

    /** The terminal event of an ended run, from its record. */
    private static TrainingEvent ending(TrainingRun run) {
        return TrainingEvent.newBuilder().setRunId(run.getRunId()).setType(run.getState()).setStep(run.getStep())
                .setTotalSteps(run.getTotalSteps()).setError(run.getError()).setPublished(run.getPublished())
                .setTimestampMs(run.getUpdatedMs()).build();
    }
}
