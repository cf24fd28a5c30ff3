package io.latentflow.orchestrator.storage;

/** A failed object store operation, naming the object. */
public final class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
