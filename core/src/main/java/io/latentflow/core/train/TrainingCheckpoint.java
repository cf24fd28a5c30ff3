package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.model.FolderTrees;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a checkpoint folder: trained components in the diffusers layout ({@code unet/config.json} +
 * {@code unet/diffusion_pytorch_model.safetensors}, {@code text_encoder/model.safetensors}, ...), the optimizer
 * moments and EMA shadows as safetensors, and {@code state.json} (step and counters), written last.
 */
public final class TrainingCheckpoint {

    /** The file whose presence makes a checkpoint complete. */
    public static final String STATE_FILE = "state.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingCheckpoint() {
    }

    /** The weights file name diffusers and transformers use for a component. */
    public static String weightsFileName(String component) {
        return component.startsWith("text_encoder") ? "model.safetensors" : "diffusion_pytorch_model.safetensors";
    }

    /** Writes {@code <dir>/<component>/config.json} (a copy of {@code config}) and its weights. */
    public static void writeComponent(Path dir, String component, Path config, Map<String, NDArray> tensors) {
        try {
            Path target = dir.resolve(component);
            Files.createDirectories(target);
            Files.copy(config, target.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            SafetensorsWriter.write(target.resolve(weightsFileName(component)), tensors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a safetensors file of the folder. */
    public static void writeTensors(Path dir, String file, Map<String, NDArray> tensors) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsWriter.write(dir.resolve(file), tensors);
    }

    /** Reads a safetensors file of the folder into {@code manager}. */
    public static Map<String, NDArray> readTensors(Path file, NDManager manager) {
        return SafetensorsReader.read(file, manager);
    }

    /** Writes state.json: the last file of a checkpoint. */
    public static void writeState(Path dir, Map<String, Long> state) {
        try {
            Files.createDirectories(dir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(STATE_FILE).toFile(), state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads state.json. */
    public static Map<String, Long> readState(Path dir) {
        try {
            return new LinkedHashMap<>(JSON.readValue(dir.resolve(STATE_FILE).toFile(),
                    new TypeReference<Map<String, Long>>() { }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a checkpoint of the components at {@code step} into the store, then prunes the oldest beyond
     * {@code totalLimit} (0: keep all); returns where it is.
     */
    public static String store(CheckpointStore store, Path workDir, long step, long seed, int totalLimit,
                               TrainedComponent... components) {
        Path dir = workDir.resolve("checkpoint-" + step);
        FolderTrees.delete(dir);
        Map<String, Long> state = new LinkedHashMap<>();
        state.put("step", step);
        state.put("seed", seed);
        for (TrainedComponent c : components) {
            c.saveTo(dir, state);
        }
        writeState(dir, state);
        String location = store.save(step, dir);
        FolderTrees.delete(dir);
        if (totalLimit > 0) {
            List<Long> steps = store.steps();
            for (int i = 0; i < steps.size() - totalLimit; i++) {
                store.delete(steps.get(i));
            }
        }
        return location;
    }

    /** The latest checkpoint of the store fetched into {@code workDir/resume}, or null when there is none. */
    public static Path latest(CheckpointStore store, Path workDir, TrainingListener listener) {
        Path resume = store.latest().map(step -> store.fetch(step, workDir.resolve("resume"))).orElse(null);
        if (resume != null) {
            listener.note("resuming from the checkpoint of step " + readState(resume).get("step"));
        }
        return resume;
    }

    /** The step a checkpoint folder was written at (0 for none). */
    public static long stepOf(Path checkpoint) {
        return checkpoint == null ? 0 : readState(checkpoint).get("step");
    }
}
