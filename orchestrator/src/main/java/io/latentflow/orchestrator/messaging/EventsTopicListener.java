package io.latentflow.orchestrator.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.proto.GenerationEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Hears every job event on latentflow.generation.events (a consumer group of this orchestrator's own), so that the
 * {@link JobTracker} knows the jobs that run on the other orchestrators too.
 */
@ApplicationScoped
public class EventsTopicListener {

    private static final Logger LOG = Logger.getLogger(EventsTopicListener.class);
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final JobTracker tracker;

    @Inject
    EventsTopicListener(JobTracker tracker) {
        this.tracker = tracker;
    }

    @Incoming("generation-events-in")
    public void onEvent(String json) {
        GenerationEvent.Builder event = GenerationEvent.newBuilder();
        try {
            PARSER.merge(json, event);
        } catch (InvalidProtocolBufferException e) {
            LOG.warnf("skipping an unreadable record on the events topic: %s", e.getMessage());
            return;
        }
        if (!event.getJobId().isEmpty()) {
            tracker.onTopicEvent(event.build());
        }
    }
}
