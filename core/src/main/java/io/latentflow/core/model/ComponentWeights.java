package io.latentflow.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentflow.core.tensor.SafetensorsReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds and reads the weights of a component folder: a single safetensors file or a sharded index, under the names
 * diffusers and transformers write. Pickled checkpoints are refused, never unpickled.
 */
public final class ComponentWeights {

    /** Weight file names in order of preference. */
    public static final List<String> FILE_NAMES = List.of(
            "diffusion_pytorch_model.safetensors", "model.safetensors",
            "diffusion_pytorch_model.safetensors.index.json", "model.safetensors.index.json",
            "diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors",
            "diffusion_pytorch_model.fp16.safetensors.index.json", "model.fp16.safetensors.index.json");

    private static final List<String> PICKLE_SUFFIXES = List.of(".ckpt", ".bin", ".pt", ".pth", ".pkl");

    private ComponentWeights() {
    }

    /** The weights file of a component folder, or a {@link ModelLoadException} saying what was found instead. */
    public static Path locate(Path componentDir) {
        if (!Files.isDirectory(componentDir)) {
            throw new ModelLoadException(componentDir + ": component folder not found");
        }
        for (String name : FILE_NAMES) {
            Path p = componentDir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        try (Stream<Path> files = Files.list(componentDir)) {
            List<Path> all = files.sorted().toList();
            // otherwise a lone index or a lone safetensors file under another name
            for (String suffix : List.of(".safetensors.index.json", ".safetensors")) {
                List<Path> found = all.stream().filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
                if (found.size() == 1) {
                    return found.get(0);
                }
                if (found.size() > 1) {
                    throw new ModelLoadException(componentDir + ": cannot tell which weights to load among "
                            + names(found) + "; expected one of " + FILE_NAMES);
                }
            }
            List<Path> pickles = all.stream().filter(p -> PICKLE_SUFFIXES.stream()
                    .anyMatch(s -> p.getFileName().toString().toLowerCase().endsWith(s))).toList();
            if (!pickles.isEmpty()) {
                throw new ModelLoadException(componentDir + ": only pickled checkpoint(s) " + names(pickles)
                        + " found; pickle files are not loaded because unpickling can run arbitrary code. Convert them"
                        + " to safetensors (for example with diffusers' save_pretrained(..., safe_serialization=True))"
                        + " and retry");
            }
        } catch (IOException e) {
            throw new ModelLoadException(componentDir + ": cannot list folder: " + e.getMessage(), e);
        }
        throw new ModelLoadException(componentDir + ": no weights found (expected one of " + FILE_NAMES + ")");
    }

    private static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    /**
     * Reads every tensor of the weights file into {@code manager} (on its device), floating-point tensors converted
     * to {@code floatType}.
     */
    public static Map<String, NDArray> read(Path weightsFile, NDManager manager, DataType floatType) {
        Device device = manager.getDevice();
        Map<String, NDArray> out = new LinkedHashMap<>();
        // one tensor staged at a time: converted, moved to the model's manager, the staged copy freed at once
        try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
            SafetensorsReader.forEach(weightsFile, staging, (name, raw) -> {
                NDArray t = raw;
                if (t.getDataType().isFloating() && t.getDataType() != floatType) {
                    t = t.toType(floatType, false);
                }
                if (!t.getDevice().equals(device)) {
                    t = t.toDevice(device, false);
                }
                t.attach(manager);
                t.setName(name);
                if (t != raw) {
                    raw.close();
                }
                out.put(name, t);
            });
            return out;
        } catch (RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
    }

}
