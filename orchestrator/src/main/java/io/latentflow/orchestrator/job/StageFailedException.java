package io.latentflow.orchestrator.job;

/** A job stage (text encoder, denoiser, VAE, object store) that failed, wrapping the cause. */
public final class StageFailedException extends RuntimeException {

    private final String stage;

    public StageFailedException(String stage, Throwable cause) {
        super(stage + " failed: " + describe(cause), cause);
        this.stage = stage;
    }

    public String stage() {
        return stage;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
