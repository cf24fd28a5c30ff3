package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.latentflow.orchestrator.storage.StorageException;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class OrderedEventsTest {

    private final List<GenerationEvent> published = new CopyOnWriteArrayList<>();
    private final OrderedEvents events = new OrderedEvents(published::add);

    private void step(int step, CompletableFuture<String> checkpoint) {
        events.publishWhenStored(checkpoint, key -> GenerationEvents.progress("j", step, 4, key, "", 0));
    }

    private List<String> publishedSteps() {
        return published.stream()
                .map(e -> e.getProgress().getStep() + ":" + e.getProgress().getLatentsKey()).toList();
    }

    @Test
    void anEventWaitsForItsCheckpointAndTheEventsAfterItWaitWithIt() {
        CompletableFuture<String> checkpoint = new CompletableFuture<>();
        step(1, CompletableFuture.completedFuture(""));
        step(2, checkpoint);
        step(3, CompletableFuture.completedFuture(""));
        assertEquals(List.of("1:"), publishedSteps());

        checkpoint.complete("jobs/j/latents/step-2.safetensors");
        step(4, CompletableFuture.completedFuture(""));
        events.awaitPublished();
        assertEquals(List.of("1:", "2:jobs/j/latents/step-2.safetensors", "3:", "4:"), publishedSteps());
    }

    @Test
    void aJobThatFailsWaitsForItsEventsBeforeItsFailureIsReported() {
        CompletableFuture<Void> record = new CompletableFuture<>();
        events.publishWhenStored(record, stored -> GenerationEvents.accepted("j"));
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> record.complete(null));

        IllegalStateException failure = new IllegalStateException("the text encoder is gone");
        assertSame(failure, assertThrows(IllegalStateException.class, () -> events.around(() -> {
            throw failure;
        })));
        assertEquals(List.of(EventType.ACCEPTED), published.stream().map(GenerationEvent::getType).toList());
    }

    @Test
    void aCheckpointThatCouldNotBeStoredFailsTheJobAtTheNextStepAndPublishesNothingAfterIt() {
        CompletableFuture<String> checkpoint = new CompletableFuture<>();
        step(1, checkpoint);
        step(2, CompletableFuture.completedFuture(""));
        events.throwIfFailed();

        StorageException outage = new StorageException("cannot write s3://latentflow/jobs/j/latents/step-1", null);
        checkpoint.completeExceptionally(outage);
        assertSame(outage, assertThrows(StorageException.class, events::throwIfFailed));
        assertSame(outage, assertThrows(StorageException.class, events::awaitPublished));
        assertEquals(List.of(), publishedSteps());
    }
}
