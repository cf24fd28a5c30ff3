package io.latentflow.core.model;

/** Raised when a model file or folder cannot be loaded; the message names the file or tensor and the problem. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
