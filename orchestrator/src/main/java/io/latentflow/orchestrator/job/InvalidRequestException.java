package io.latentflow.orchestrator.job;

/** A generation request that cannot run, with the request field at fault and the reason. */
public final class InvalidRequestException extends RuntimeException {

    private final String field;
    private final String reason;

    public InvalidRequestException(String field, String reason) {
        super(field.isEmpty() ? reason : field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** The request field at fault, such as {@code steps}; {@code json} when the record is not a request at all. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
