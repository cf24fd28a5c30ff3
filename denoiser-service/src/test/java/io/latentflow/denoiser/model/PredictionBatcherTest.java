package io.latentflow.denoiser.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.service.model.LoadedModel;
import io.latentflow.service.storage.ModelId;
import io.latentflow.proto.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs inside the Quarkus test application so that core's classes come from the same class loader as there. */
@QuarkusTest
class PredictionBatcherTest {

    private static final ModelId TINY_SD = new ModelId("tiny-sd", "1");
    private static final PredictionJob.BatchKey GUIDED =
            new PredictionJob.BatchKey(TINY_SD.toString(), List.of(4L, 8L, 8L), List.of(77L, 32L), 0, 0, true);
    private static final PredictionJob.BatchKey UNGUIDED =
            new PredictionJob.BatchKey(TINY_SD.toString(), List.of(4L, 8L, 8L), List.of(77L, 32L), 0, 0, false);

    @Test
    void queuedCallsWithTheSameModelAndShapesShareOneBatch() throws InterruptedException {
        PredictionBatcher batcher = new PredictionBatcher(8, Duration.ZERO, 0, new SimpleMeterRegistry());
        for (int i = 0; i < 3; i++) {
            batcher.submit(unet(), job(1, GUIDED), "");
        }

        assertEquals(3, batcher.nextBatch().size());
    }

    @Test
    void callsThatDoNotFitWaitForTheNextBatchInOrder() throws InterruptedException {
        PredictionBatcher batcher = new PredictionBatcher(8, Duration.ZERO, 0, new SimpleMeterRegistry());
        PredictionJob first = job(1, GUIDED);
        PredictionJob other = job(1, UNGUIDED);
        PredictionJob third = job(2, GUIDED);
        batcher.submit(unet(), first, "");
        batcher.submit(unet(), other, "");
        batcher.submit(unet(), third, "");

        assertEquals(List.of(first, third), jobs(batcher.nextBatch()));
        assertEquals(List.of(other), jobs(batcher.nextBatch()));
    }

    @Test
    void aBatchHoldsAtMostMaxBatchSizeSamples() throws InterruptedException {
        PredictionBatcher batcher = new PredictionBatcher(4, Duration.ZERO, 0, new SimpleMeterRegistry());
        PredictionJob two = job(2, GUIDED);
        PredictionJob three = job(3, GUIDED);
        PredictionJob one = job(1, GUIDED);
        batcher.submit(unet(), two, "");
        batcher.submit(unet(), three, "");
        batcher.submit(unet(), one, "");

        assertEquals(List.of(two, one), jobs(batcher.nextBatch()));
        assertEquals(List.of(three), jobs(batcher.nextBatch()));
    }

    @Test
    void aBatchWaitsWithinTheWindowForTheJobsOfThePreviousPassOnly() throws InterruptedException {
        PredictionBatcher batcher = new PredictionBatcher(8, Duration.ofSeconds(5), 0, new SimpleMeterRegistry());
        batcher.submit(unet(), job(1, GUIDED), "job-a");
        batcher.submit(unet(), job(1, GUIDED), "job-b");
        assertEquals(2, batcher.nextBatch().size(), "nothing expected yet: the queued calls go at once");

        batcher.submit(unet(), job(1, GUIDED), "job-b");
        // job a's call arrives once the batch of job b's call is waiting within its window
        Thread late = submitWhenWaiting(batcher, "job-a");
        List<PredictionBatcher.Pending> both = batcher.nextBatch();
        assertEquals(List.of("job-b", "job-a"), both.stream().map(PredictionBatcher.Pending::jobId).toList(),
                "job b's call waits for job a's, which was in the previous pass");
        late.join();

        batcher.submit(unet(), job(1, GUIDED), "job-a");
        batcher.submit(unet(), job(1, GUIDED), "job-b");
        batcher.nextBatch();
        batcher.submit(unet(), job(1, GUIDED), "job-a");
        long started = System.nanoTime();
        assertEquals(1, batcher.nextBatch().size(), "job b ended: the window runs out without it");
        assertTrue(System.nanoTime() - started >= Duration.ofSeconds(5).toNanos(), "waited the window");

        batcher.submit(unet(), job(1, GUIDED), "job-a");
        started = System.nanoTime();
        assertEquals(1, batcher.nextBatch().size());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(1).toNanos(), "a job alone does not wait");
    }

    @Test
    void aJobDoesNotWaitForTheJobsOfAPassThatEndedMoreThanAWindowAgo() throws InterruptedException {
        PredictionBatcher batcher = new PredictionBatcher(8, Duration.ofSeconds(5), 0, new SimpleMeterRegistry());
        batcher.submit(unet(), job(1, GUIDED), "job-a");
        List<PredictionBatcher.Pending> previous = batcher.nextBatch();
        batcher.passEnded(previous, System.nanoTime() - Duration.ofSeconds(6).toNanos());

        batcher.submit(unet(), job(1, GUIDED), "job-b");
        long started = System.nanoTime();
        assertEquals(1, batcher.nextBatch().size());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(1).toNanos(),
                "job a did not call again within the window after its pass: job b goes alone at once");
    }

    @Test
    void afterALongPassABatchWaitsItsShareOfThatPassForTheJobsInIt() throws InterruptedException {
        PredictionBatcher batcher = new PredictionBatcher(8, Duration.ZERO, 0.5, new SimpleMeterRegistry());
        batcher.submit(unet(), job(1, GUIDED), "job-a");
        batcher.submit(unet(), job(1, GUIDED), "job-b");
        List<PredictionBatcher.Pending> previous = batcher.nextBatch();
        // a pass of 8 s: the next one may wait 4 s, though the window is 0
        batcher.passEnded(previous, System.nanoTime() + Duration.ofSeconds(8).toNanos());

        batcher.submit(unet(), job(1, GUIDED), "job-b");
        Thread late = submitWhenWaiting(batcher, "job-a");
        List<PredictionBatcher.Pending> both = batcher.nextBatch();
        late.join();
        assertEquals(List.of("job-b", "job-a"), both.stream().map(PredictionBatcher.Pending::jobId).toList(),
                "job b's call waits for job a's within half the previous pass");
    }

    /** Submits a call of {@code jobId} once this thread waits for calls (or after 3 s). */
    private static Thread submitWhenWaiting(PredictionBatcher batcher, String jobId) {
        Thread gathering = Thread.currentThread();
        Thread late = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (gathering.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            batcher.submit(unet(), job(1, GUIDED), jobId);
        });
        late.start();
        return late;
    }

    /** The registry hands out a new LoadedModel per call; equal ones (same model instance) must batch together. */
    private static LoadedModel<UNet2dConditionModel> unet() {
        return new LoadedModel<>(TINY_SD, null, ModelOptions.defaults());
    }

    private static PredictionJob job(int samples, PredictionJob.BatchKey key) {
        return new PredictionJob(Tensor.getDefaultInstance(), new float[samples], null, null, 7.5f, 0f, key);
    }

    private static List<PredictionJob> jobs(List<PredictionBatcher.Pending> batch) {
        return batch.stream().map(PredictionBatcher.Pending::job).toList();
    }
}
