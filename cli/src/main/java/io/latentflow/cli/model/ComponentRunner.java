package io.latentflow.cli.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelLoadException;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.model.PipelineFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * One model component (UNet, VAE encoder or decoder, text encoder) loaded for {@code run-model} and
 * {@code bench-model}, fed and read through tensors named as in the reference vectors.
 */
interface ComponentRunner extends AutoCloseable {

    /** Runs one forward pass; outputs belong to the inputs' manager. */
    Map<String, NDArray> run(Map<String, NDArray> inputs);

    /**
     * Representative inputs for a forward pass: batch {@code batch}, spatial size height x width of the component's
     * own input (latent size for the UNet and the VAE decoder, image size for the VAE encoder; ignored by the text
     * encoder, which takes full-length token sequences).
     */
    Map<String, NDArray> exampleInputs(NDManager manager, int batch, int height, int width);

    /** The component's config.json, from which {@code --against-pytorch} builds the same architecture. */
    Path configFile();

    /** Scalars in the architecture's parameters (the whole model: both halves of a VAE). */
    long parameterCount();

    /** The number of scalars in tensors of these shapes. */
    static long scalars(Map<String, Shape> shapes) {
        return shapes.values().stream().mapToLong(Shape::size).sum();
    }

    @Override
    void close();

    /** Component names accepted by {@code --component}. */
    String COMPONENTS = "unet, vae-encode, vae-decode, text-encoder";

    /**
     * Loads a component from its folder, or from the matching subfolder of a pipeline folder (unet, vae,
     * text_encoder, or {@code subfolder} when given); with {@code randomWeights} only its config.json is read and the
     * weights are random stand-ins (benchmarks of architectures whose checkpoints are not at hand).
     */
    static ComponentRunner open(String component, Path model, String subfolder, ModelOptions options,
                                boolean randomWeights) {
        String name = component.toLowerCase(Locale.ROOT);
        String defaultFolder;
        switch (name) {
            case "unet":
                defaultFolder = "unet";
                break;
            case "vae-encode":
            case "vae-decode":
                defaultFolder = "vae";
                break;
            case "text-encoder":
                defaultFolder = "text_encoder";
                break;
            default:
                throw new IllegalArgumentException("unknown component '" + component + "' (one of " + COMPONENTS + ")");
        }
        Path dir = model;
        if (Files.isRegularFile(model.resolve("model_index.json"))) {
            dir = PipelineFolder.open(model).component(subfolder != null ? subfolder : defaultFolder);
        } else if (subfolder != null) {
            dir = model.resolve(subfolder);
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new ModelLoadException(dir + ": not a component folder (config.json not found)");
        }
        switch (name) {
            case "unet":
                return new UnetRunner(dir, options, randomWeights);
            case "vae-encode":
                return new VaeRunner(dir, options, true, randomWeights);
            case "vae-decode":
                return new VaeRunner(dir, options, false, randomWeights);
            default:
                if (randomWeights) {
                    throw new IllegalArgumentException("--random-weights is available for unet and vae components");
                }
                return new TextEncoderRunner(dir, options);
        }
    }

    /** The named input, or an exception naming what is missing. */
    static NDArray required(Map<String, NDArray> inputs, String name, String component) {
        NDArray a = inputs.get(name);
        if (a == null) {
            throw new IllegalArgumentException(component + " needs input tensor '" + name + "' (inputs present: "
                    + inputs.keySet() + ")");
        }
        return a;
    }
}
