package io.latentflow.denoiser.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentflow.denoiser.config.DenoiserConfig;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import io.latentflow.service.model.LoadedModel;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Continuous batching of concurrent Predict calls: one thread runs the UNet; calls that queue up while it is busy and
 * agree on model, shapes and guidance run as one forward pass of up to {@code max-batch-size} samples, whatever their
 * jobs, timesteps, prompts and guidance scales. The window adapts to load: a batch waits only for the calls of jobs
 * that took part in the previous pass and are not in it yet, at most the batching window or, when passes are long, a
 * share of the previous pass's time (a call that misses the batch costs its job a whole pass more), so a job running
 * alone never waits and concurrent jobs fall into step and share every pass.
 */
@ApplicationScoped
public class PredictionBatcher {

    private static final Logger LOG = Logger.getLogger(PredictionBatcher.class);

    private final int maxBatchSize;
    private final Duration window;
    private final double windowShare;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Deque<Pending> backlog = new ArrayDeque<>();
    /** The previous pass of each batch key: its jobs are the calls the next pass of that key can expect. */
    private final Map<PredictionJob.BatchKey, LastPass> lastPasses = new HashMap<>();
    /** Upper bounds of the batch-size histogram on /q/metrics (latentflow_denoiser_batch_samples_bucket). */
    public static final double[] BATCH_SIZE_BUCKETS = {1, 2, 3, 4, 6, 8, 12, 16, 32};

    private final DistributionSummary batchSamples;
    private final Timer queueTime;
    private final Timer computeTime;
    private final Thread worker;

    @Inject
    public PredictionBatcher(DenoiserConfig config, MeterRegistry meters) {
        this(config.batching().maxBatchSize(), config.batching().window(), config.batching().windowShare(), meters);
    }

    /** A batcher whose worker thread starts with {@link #start}. */
    PredictionBatcher(int maxBatchSize, Duration window, double windowShare, MeterRegistry meters) {
        this.maxBatchSize = maxBatchSize;
        this.window = window;
        this.windowShare = windowShare;
        if (maxBatchSize < 1 || window.isNegative() || !(windowShare >= 0)) {
            throw new IllegalArgumentException("denoiser.batching.max-batch-size must be >= 1, "
                    + "denoiser.batching.window >= 0 and denoiser.batching.window-share >= 0, got " + maxBatchSize
                    + ", " + window + " and " + windowShare);
        }
        this.batchSamples = DistributionSummary.builder("latentflow.denoiser.batch.samples")
                .description("samples per UNet forward pass (a guided sample counts once)")
                .serviceLevelObjectives(BATCH_SIZE_BUCKETS)
                .register(meters);
        // autoscaling signals: a queue time that grows against the compute time means calls wait for the UNet
        this.queueTime = Timer.builder("latentflow.denoiser.queue")
                .description("time a Predict call waits before its UNet pass starts").register(meters);
        this.computeTime = Timer.builder("latentflow.denoiser.compute")
                .description("time of one UNet pass (a batch of calls)").register(meters);
        Gauge.builder("latentflow.denoiser.queue.depth", this, batcher -> batcher.queue.size()
                        + batcher.backlog.size())
                .description("Predict calls waiting for the UNet").register(meters);
        this.worker = new Thread(this::run, "unet-batcher");
        this.worker.setDaemon(true);
    }

    void start(@Observes StartupEvent event) {
        worker.start();
    }

    void stop(@Observes ShutdownEvent event) {
        worker.interrupt();
    }

    /**
     * Queues a call of job {@code jobId} (empty: a caller that names none, never waited for); the future completes
     * with the prediction (float32) or the failure of its batch.
     */
    public CompletableFuture<Tensor> submit(LoadedModel<UNet2dConditionModel> unet, PredictionJob job,
            String jobId) {
        Pending pending = new Pending(unet, job, jobId, new CompletableFuture<>(), System.nanoTime());
        queue.add(pending);
        return pending.result();
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                List<Pending> batch = nextBatch();
                forward(batch);
                passEnded(batch, System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        failAll(new IllegalStateException("the denoiser is shutting down"));
    }

    /**
     * Waits for a call, then gathers the queued calls that can share its batch and, within the window, the expected
     * ones still arriving.
     */
    List<Pending> nextBatch() throws InterruptedException {
        Pending first = backlog.isEmpty() ? queue.take() : backlog.poll();
        List<Pending> batch = new ArrayList<>(List.of(first));
        int samples = first.job().batchSize();
        for (Iterator<Pending> it = backlog.iterator(); it.hasNext() && samples < maxBatchSize; ) {
            Pending next = it.next();
            if (fits(first, next, samples)) {
                it.remove();
                batch.add(next);
                samples += next.job().batchSize();
            }
        }
        long now = System.nanoTime();
        LastPass last = lastPasses.get(first.job().batchKey());
        long wait = last == null ? window.toNanos() : last.waitNanos(window.toNanos(), windowShare);
        Set<String> expected = last == null || last.endedBefore(now - wait) ? new HashSet<>()
                : new HashSet<>(last.jobs());
        batch.forEach(pending -> expected.remove(pending.jobId()));
        long deadline = now + wait;
        while (samples < maxBatchSize) {
            long remaining = expected.isEmpty() ? 0 : deadline - System.nanoTime();
            Pending next = remaining > 0 ? queue.poll(remaining, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            if (fits(first, next, samples)) {
                batch.add(next);
                samples += next.job().batchSize();
                expected.remove(next.jobId());
            } else {
                backlog.add(next);
            }
        }
        lastPasses.put(first.job().batchKey(), new LastPass(batch.stream().map(Pending::jobId)
                .filter(jobId -> !jobId.isEmpty()).collect(Collectors.toSet()), System.nanoTime(), LastPass.RUNNING));
        return batch;
    }

    /**
     * Notes when the pass of {@code batch} ended: its jobs are expected by the next pass only while they keep in
     * step, calling again within the window after it; a job that has ended, or the last job of a stage before the
     * next one starts, is then not waited for.
     */
    void passEnded(List<Pending> batch, long endedNanos) {
        lastPasses.computeIfPresent(batch.get(0).job().batchKey(),
                (key, pass) -> new LastPass(pass.jobs(), pass.startedNanos(), endedNanos));
    }

    private boolean fits(Pending first, Pending next, int samples) {
        return first.unet().equals(next.unet()) && first.job().batchKey().equals(next.job().batchKey())
                && samples + next.job().batchSize() <= maxBatchSize;
    }

    private void forward(List<Pending> batch) {
        LoadedModel<UNet2dConditionModel> unet = batch.get(0).unet();
        long started = System.nanoTime();
        batch.forEach(pending -> queueTime.record(started - pending.queuedNanos(), TimeUnit.NANOSECONDS));
        try (NDManager manager = NDManager.newBaseManager(unet.options().device())) {
            List<UnetInputs> inputs = batch.stream()
                    .map(pending -> pending.job().toInputs(manager, unet.options().dataType()))
                    .toList();
            List<NDArray> predictions = GuidedUnet.predict(unet.model(), inputs);
            computeTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            batchSamples.record(batch.stream().mapToInt(pending -> pending.job().batchSize()).sum());
            List<Tensor> tensors = predictions.stream().map(PredictionBatcher::float32).toList();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(tensors.get(i));
            }
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "UNet batch of %d calls failed", batch.size());
            batch.forEach(pending -> pending.result().completeExceptionally(e));
        }
    }

    private void failAll(RuntimeException reason) {
        backlog.forEach(pending -> pending.result().completeExceptionally(reason));
        queue.forEach(pending -> pending.result().completeExceptionally(reason));
    }

    private static Tensor float32(NDArray array) {
        return Tensors.toProto(array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false));
    }

    /** The jobs of a pass, when it started and when it ended (System.nanoTime; RUNNING until then). */
    private record LastPass(Set<String> jobs, long startedNanos, long endedNanos) {

        static final long RUNNING = Long.MAX_VALUE;

        boolean endedBefore(long nanos) {
            return endedNanos != RUNNING && endedNanos - nanos < 0;
        }

        /** How long the next pass waits for this one's jobs: the window, or a share of this pass when longer. */
        long waitNanos(long window, double share) {
            return endedNanos == RUNNING ? window : Math.max(window, (long) (share * (endedNanos - startedNanos)));
        }
    }

    /** A queued call, the job it came from ("" when unnamed), and when it was queued (System.nanoTime). */
    record Pending(LoadedModel<UNet2dConditionModel> unet, PredictionJob job, String jobId,
            CompletableFuture<Tensor> result, long queuedNanos) {
    }
}
