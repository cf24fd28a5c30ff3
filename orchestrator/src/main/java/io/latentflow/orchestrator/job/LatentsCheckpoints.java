package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.sampling.SamplerMemory;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.orchestrator.storage.StorageException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * A job's latents after every {@code checkpoint-every-steps} steps, in the bucket, with the sampler's memory of that
 * step (multistep history, noise draws taken), so that a job redelivered after a crash continues after its last
 * checkpoint instead of starting over, and ends with the image of an uninterrupted run whatever its sampler.
 */
@ApplicationScoped
public class LatentsCheckpoints {

    private static final Logger LOG = Logger.getLogger(LatentsCheckpoints.class);

    /** A checkpoint: the latents after {@code step} steps (1-based) and the sampler's memory then (null: none). */
    public record Checkpoint(int step, NDArray latents, SamplerMemory memory) {
    }

    private static final String LATENTS = "latents";
    private static final String HISTORY = "sampler.history";
    private static final String HISTORY_STEPS = "sampler.history_steps";
    private static final String NOISE_DRAWS = "sampler.noise_draws";

    private final ObjectStore store;
    private final OrchestratorConfig config;

    @Inject
    LatentsCheckpoints(ObjectStore store, OrchestratorConfig config) {
        this.store = store;
        this.config = config;
    }

    /** Whether the latents after {@code step} of {@code totalSteps} are kept (every N steps, and the last). */
    public boolean due(int step, int totalSteps) {
        int every = config.checkpointEverySteps();
        return every > 0 && (step % every == 0 || step == totalSteps);
    }

    /**
     * Stores the latents after {@code step} and the sampler's memory then (null: none) under the job's key for that
     * step: their bytes are taken now, the write runs on a worker thread beside the sampling loop. Completes with the
     * key once the object is stored, or with the {@link StorageException} that ended the write.
     */
    public CompletableFuture<String> save(String jobId, int step, NDArray latents, SamplerMemory memory) {
        String key = JobKeys.latents(jobId, step);
        byte[] checkpoint;
        try (NDManager scope = latents.getManager().newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put(LATENTS, latents);
            if (memory != null) {
                tensors.put(NOISE_DRAWS, scope.create(new long[] {memory.noiseDraws()}));
                tensors.put(HISTORY_STEPS, scope.create(new long[] {memory.historySteps()}));
                if (memory.history() != null) {
                    tensors.put(HISTORY, memory.history());
                }
            }
            checkpoint = SafetensorsWriter.toBytes(tensors);
        }
        return store.putAsync(key, checkpoint, "application/octet-stream").thenApply(stored -> key);
    }

    /**
     * The job's latest readable checkpoint of at most {@code totalSteps} steps whose latents have the job's shape
     * (B, C, h, w), or empty to start afresh.
     */
    public Optional<Checkpoint> latest(String jobId, int totalSteps, long[] shape, NDManager manager) {
        if (config.checkpointEverySteps() <= 0) {
            return Optional.empty();
        }
        Optional<Integer> step = store.list(JobKeys.latentsPrefix(jobId)).stream()
                .map(key -> JobKeys.latentsStep(jobId, key))
                .flatMap(Optional::stream)
                .filter(found -> found <= totalSteps)
                .max(Comparator.naturalOrder());
        return step.flatMap(found -> load(JobKeys.latents(jobId, found), found, shape, manager));
    }

    private Optional<Checkpoint> load(String key, int step, long[] shape, NDManager manager) {
        Optional<byte[]> bytes = store.get(key);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        Path file = null;
        try {
            file = Files.createTempFile("latents-", ".safetensors");
            Files.write(file, bytes.get());
            Map<String, NDArray> tensors = SafetensorsReader.read(file, manager);
            NDArray latents = tensors.get(LATENTS);
            if (latents == null || !Arrays.equals(latents.getShape().getShape(), shape)) {
                LOG.warnf("ignoring checkpoint %s: no latents of shape %s", key, Arrays.toString(shape));
                return Optional.empty();
            }
            SamplerMemory memory = tensors.containsKey(NOISE_DRAWS)
                    ? new SamplerMemory(tensors.get(HISTORY), (int) tensors.get(HISTORY_STEPS).getLong(),
                    tensors.get(NOISE_DRAWS).getLong())
                    : null;
            LOG.infof("resuming from checkpoint %s", key);
            return Optional.of(new Checkpoint(step, latents, memory));
        } catch (IOException | RuntimeException e) {
            LOG.warnf(e, "ignoring unreadable checkpoint %s", key);
            return Optional.empty();
        } finally {
            deleteQuietly(file);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debugf(e, "cannot remove temporary file %s", file);
        }
    }
}
