package io.latentflow.orchestrator.messaging;

import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.proto.GenerationEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** Publishes job events to latentflow.generation.events (key = job id) and to the in-process {@link JobTracker}. */
@ApplicationScoped
public class EventPublisher {

    @Inject
    @Channel("generation-events")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
    Emitter<String> emitter;

    private final JobTracker tracker;

    @Inject
    EventPublisher(JobTracker tracker) {
        this.tracker = tracker;
    }

    /** Sends the event; the returned stage completes when Kafka has acknowledged the record. */
    public CompletionStage<Void> publish(GenerationEvent event) {
        CompletionStage<Void> written = AcknowledgedSend.sendJson(emitter, event, event.getJobId());
        tracker.onEvent(event);
        return written;
    }
}
