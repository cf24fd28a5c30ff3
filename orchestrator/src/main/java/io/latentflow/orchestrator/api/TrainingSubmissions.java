package io.latentflow.orchestrator.api;

import io.latentflow.orchestrator.messaging.RequestPublisher;
import io.latentflow.orchestrator.training.TrainingIntake;
import io.latentflow.proto.TrainingRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;

/**
 * How every public API (gRPC, REST, the web page) submits a training run: validated as the consumer will validate
 * the record, then written to latentflow.training.requests, the same path as any Kafka producer's run.
 */
@ApplicationScoped
public class TrainingSubmissions {

    private final TrainingIntake intake;
    private final RequestPublisher requests;

    @Inject
    TrainingSubmissions(TrainingIntake intake, RequestPublisher requests) {
        this.intake = intake;
        this.requests = requests;
    }

    /**
     * Validates the run (an InvalidRequestException names the field at fault; what only the run can find, such as
     * a missing dataset, comes as its failed event) and writes it, with its run id and base model filled in.
     */
    public Submitted submit(TrainingRequest request) {
        TrainingRequest accepted = intake.validate(request).request();
        return new Submitted(accepted.getRunId(), requests.publish(accepted));
    }

    /** A submitted run: its id and the write of its request to Kafka. */
    public record Submitted(String runId, CompletionStage<Void> written) {
    }
}
