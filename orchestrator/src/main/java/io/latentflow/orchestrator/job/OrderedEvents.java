package io.latentflow.orchestrator.job;

import io.latentflow.proto.GenerationEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A job's events in the order they were made, each published once the object it names is stored: the writes run
 * beside the sampling loop instead of pausing it, and no reader of an event finds its object missing.
 */
final class OrderedEvents {

    private final Consumer<GenerationEvent> publish;
    /** Completes when every event so far is published, or fails with the first write that failed. */
    private CompletableFuture<Void> published = CompletableFuture.completedFuture(null);

    OrderedEvents(Consumer<GenerationEvent> publish) {
        this.publish = publish;
    }

    /** Publishes {@code event} of what {@code stored} completes with, once it has, after every earlier event. */
    <T> void publishWhenStored(CompletableFuture<T> stored, Function<T, GenerationEvent> event) {
        published = published.thenCombine(stored, (previous, value) -> value)
                .thenAccept(value -> publish.accept(event.apply(value)));
    }

    /**
     * Runs {@code work}, which queues events here, then waits until they are published, also when it failed (a
     * failure of the work wins over one of a write), so that the job's final event comes after all of them.
     */
    <T> T around(Supplier<T> work) {
        T result;
        try {
            result = work.get();
        } catch (RuntimeException e) {
            try {
                awaitPublished();
            } catch (RuntimeException unpublished) {
                e.addSuppressed(unpublished);
            }
            throw e;
        }
        awaitPublished();
        return result;
    }

    /** Throws the failure of a write that has already failed, if any. */
    void throwIfFailed() {
        if (published.isCompletedExceptionally()) {
            awaitPublished();
        }
    }

    /** Waits until every event is published; throws the failure of the first write that failed. */
    void awaitPublished() {
        try {
            published.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
