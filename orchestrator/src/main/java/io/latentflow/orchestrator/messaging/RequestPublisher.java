package io.latentflow.orchestrator.messaging;

import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.TrainingRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Writes requests received over gRPC to their topics: generation jobs to latentflow.generation.requests (key = job
 * id), training runs to latentflow.training.requests (key = run id).
 */
@ApplicationScoped
public class RequestPublisher {

    @Inject
    @Channel("generation-requests-out")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<String> emitter;

    @Inject
    @Channel("training-requests-out")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<String> trainingEmitter;

    /** Sends a training run (its run id set); the returned stage completes when Kafka has acknowledged it. */
    public CompletionStage<Void> publish(TrainingRequest request) {
        return AcknowledgedSend.sendJson(trainingEmitter, request, request.getRunId());
    }

    /** Sends the request (its job id set); the returned stage completes when Kafka has acknowledged it. */
    public CompletionStage<Void> publish(GenerationRequest request) {
        return AcknowledgedSend.sendJson(emitter, request, request.getJobId());
    }
}
