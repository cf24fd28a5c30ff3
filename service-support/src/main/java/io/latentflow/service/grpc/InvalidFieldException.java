package io.latentflow.service.grpc;

/** A request field that does not fit the model or the contract; the message starts with the field's name. */
public class InvalidFieldException extends RuntimeException {

    public InvalidFieldException(String field, String problem) {
        super(field + ": " + problem);
    }
}
