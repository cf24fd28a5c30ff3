package io.latentflow.core.sampling;

/** Asks a sampling run to stop; samplers check it between steps and then throw {@link java.util.concurrent.CancellationException}. */
public interface Cancellation {
    /** Never cancelled. */
    Cancellation NONE = () -> false;

    /** True once the run should stop. */
    boolean isCancelled();

    /** Throws CancellationException if cancelled or if the current thread was interrupted. */
    default void throwIfCancelled() {
        if (isCancelled() || Thread.currentThread().isInterrupted()) {
            throw new java.util.concurrent.CancellationException("sampling cancelled");
        }
    }
}
