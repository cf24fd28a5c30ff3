package io.latentflow.orchestrator.storage;

/** A model (or one of its configuration files) that is neither in the local model root nor in the bucket. */
public final class ModelNotFoundException extends RuntimeException {

    public ModelNotFoundException(String message) {
        super(message);
    }
}
