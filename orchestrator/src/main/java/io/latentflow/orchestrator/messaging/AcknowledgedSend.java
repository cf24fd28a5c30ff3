package io.latentflow.orchestrator.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/** Sends a record through an emitter and tells when Kafka has acknowledged (or refused) it. */
final class AcknowledgedSend {

    private AcknowledgedSend() {
    }

    /** The stage completes when the broker has acknowledged the record, exceptionally when it failed. */
    static CompletionStage<Void> send(Emitter<String> emitter, String payload, Metadata metadata) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        emitter.send(Message.of(payload, metadata,
                () -> {
                    written.complete(null);
                    return CompletableFuture.completedFuture(null);
                },
                failure -> {
                    written.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return written;
    }
}
