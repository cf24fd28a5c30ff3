package io.latentflow.orchestrator.messaging;

import io.latentflow.orchestrator.training.TrainingEvents;
import io.latentflow.orchestrator.training.TrainingRuns;
import io.latentflow.orchestrator.training.TrainingTracker;
import io.latentflow.proto.TrainingEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes training events to latentflow.training.events (key = run id), appends them to the run's metrics.jsonl
 * and hands them to the in-process {@link TrainingTracker} for Watch streams.
 */
@ApplicationScoped
public class TrainingEventPublisher {

    private static final int FLUSH_EVERY_PROGRESS_ROWS = 10;

    @Inject
    @Channel("training-events")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
    Emitter<String> emitter;

    private final TrainingTracker tracker;
    private final TrainingRuns runs;

    @Inject
    TrainingEventPublisher(TrainingTracker tracker, TrainingRuns runs) {
        this.tracker = tracker;
        this.runs = runs;
    }

    /** Sends the event; the returned stage completes when Kafka has acknowledged the record. */
    public CompletionStage<Void> publish(TrainingEvent event) {
        boolean flush = !TrainingEvents.PROGRESS.equals(event.getType())
                || event.getStep() % FLUSH_EVERY_PROGRESS_ROWS == 0;
        runs.appendMetrics(event, flush);
        CompletionStage<Void> written = AcknowledgedSend.sendJson(emitter, event, event.getRunId());
        tracker.onEvent(event);
        if (TrainingEvents.isTerminal(event.getType())) {
            runs.release(event.getRunId());
        }
        return written;
    }
}
