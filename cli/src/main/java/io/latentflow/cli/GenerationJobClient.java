package io.latentflow.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import io.latentflow.deploy.Endpoints;
import io.latentflow.proto.Topics;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Submits generation jobs as protobuf JSON records on latentflow.generation.requests (key = job id) and follows
 * their events on latentflow.generation.events until the job ends.
 */
final class GenerationJobClient implements AutoCloseable {

    private final JobChannel<GenerationEvent> channel;

    /** Connects to Kafka; events of jobs submitted from now on are all seen. */
    GenerationJobClient(Endpoints endpoints) {
        this.channel = new JobChannel<>(endpoints, Topics.GENERATION_REQUESTS, Topics.GENERATION_EVENTS,
            GenerationEvent.getDefaultInstance(), GenerationEvent::getJobId, event -> ends(event.getType()));
    }

    /** The JSON value of a request record: the protobuf JSON form of the request. */
    static String toJson(GenerationRequest request) {
        return ProtoJson.print(request);
    }

    /** Writes the request to the requests topic under its job id and waits for the broker's acknowledgement. */
    void submit(GenerationRequest request) throws InterruptedException, ExecutionException, TimeoutException {
        channel.send(request.getJobId(), request);
    }

    /**
     * Hands every event of {@code jobId} to {@code listener} until one ends the job (completed, failed, cancelled);
     * returns that event, or empty when {@code timeout} passes first.
     */
    Optional<GenerationEvent> follow(String jobId, Duration timeout, Consumer<GenerationEvent> listener)
            throws InvalidProtocolBufferException {
        return channel.follow(jobId, timeout, listener);
    }

    /**
     * Waits until every job in {@code jobIds} has ended, handing each ending event to {@code listener}; returns the
     * jobs still running when {@code timeout} passed.
     */
    Set<String> awaitEnds(Set<String> jobIds, Duration timeout, Consumer<GenerationEvent> listener)
            throws InvalidProtocolBufferException {
        return channel.awaitEnds(jobIds, timeout, listener);
    }

    static boolean ends(EventType type) {
        return type == EventType.COMPLETED || type == EventType.FAILED || type == EventType.CANCELLED;
    }

    @Override
    public void close() {
        channel.close();
    }
}
