package io.latentflow.orchestrator.job;

import io.latentflow.proto.GenerationEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

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

    /** Publishes {@code event} of the key {@code stored} completes with, after every event queued before it. */
    void publishWhenStored(CompletableFuture<String> stored, Function<String, GenerationEvent> event) {
        published = published.thenCombine(stored, (previous, key) -> key)
                .thenAccept(key -> publish.accept(event.apply(key)));
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
