package io.latentflow.core.sampling;

import java.util.concurrent.CancellationException;

/** Asks a sampling run to stop; samplers check it between steps and then throw {@link CancellationException}. */
public interface Cancellation {
    /** Never cancelled. */
    Cancellation NONE = () -> false;

    /** True once the run should stop. */
    boolean isCancelled();

    /** Throws CancellationException if cancelled or if the current thread was interrupted. */
    default void throwIfCancelled() {
        if (isCancelled() || Thread.currentThread().isInterrupted()) {
            throw new CancellationException("sampling cancelled");
        }
    }
}
