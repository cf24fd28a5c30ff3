package io.latentflow.service.storage;

/** Raised when a requested model (or version) exists neither locally nor in the object store. */
public class ModelNotFoundException extends RuntimeException {

    public ModelNotFoundException(String message) {
        super(message);
    }
}
