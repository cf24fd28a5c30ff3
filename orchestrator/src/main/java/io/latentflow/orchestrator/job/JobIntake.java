package io.latentflow.orchestrator.job;

import io.latentflow.proto.GenerationRequest;
import java.util.Optional;

/** Turns a raw record (key, JSON value) into a runnable {@link JobSpec} or a rejection naming the field at fault. */
public final class JobIntake {

    private final RequestValidator validator;

    public JobIntake(RequestValidator validator) {
        this.validator = validator;
    }

    /** What became of one record. */
    public sealed interface Outcome permits Accepted, Rejected {
    }

    /** A valid job. */
    public record Accepted(JobSpec spec) implements Outcome {
    }

    /**
     * A record that cannot run.
     *
     * @param jobId the job id found in the record (its job_id, else its key), empty when there is none
     */
    public record Rejected(Optional<String> jobId, String field, String reason) implements Outcome {
    }

    /** Reads and validates one record; never throws for bad input. */
    public Outcome accept(String key, String value) {
        GenerationRequest request;
        try {
            request = RequestParser.parse(value);
        } catch (InvalidRequestException e) {
            // an unreadable record is answered under its key, which its sender watches; its body's id only without one
            return new Rejected(nonEmpty(key).or(() -> value == null ? Optional.empty() : RequestParser.jobIdOf(value)),
                    e.field(), e.reason());
        }
        String jobId = request.getJobId().isEmpty() ? key : request.getJobId();
        try {
            return new Accepted(validator.validate(request, jobId));
        } catch (InvalidRequestException e) {
            return new Rejected(Optional.ofNullable(jobId).filter(id -> !id.isEmpty()).or(() -> nonEmpty(key)),
                    e.field(), e.reason());
        }
    }

    /** Validates a request already parsed (the public APIs'): its spec, or an {@link InvalidRequestException}. */
    public JobSpec validate(GenerationRequest request) {
        return validator.validate(request, request.getJobId());
    }

    private static Optional<String> nonEmpty(String text) {
        return text == null || text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
