package io.latentflow.cli.model;

import io.latentflow.core.model.ModelOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by run-model and bench-model: which component of which folder, on which device and dtype. */
public final class ModelSelection {

    @Option(names = "--model", required = true,
            description = "component folder (config.json + safetensors), or pipeline folder (model_index.json)")
    Path model;

    @Option(names = "--component", required = true, description = "one of: " + ComponentRunner.COMPONENTS)
    String component;

    @Option(names = "--subfolder",
            description = "pipeline subfolder to use instead of the component's default (e.g. text_encoder_2)")
    String subfolder;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "float32", description = "float32 or float16 (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--random-weights",
            description = "read only config.json and use random stand-in weights (unet, vae; for benchmarks)")
    boolean randomWeights;

    @Option(names = "--threads", description = "PyTorch intra-op threads (default: the engine's choice)")
    Integer threads;

    /** Applies --threads before the engine starts, then resolves device and dtype. */
    ModelOptions options() {
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        return ModelOptions.of(device, dtype);
    }

    ComponentRunner open() {
        return ComponentRunner.open(component, model, subfolder, options(), randomWeights);
    }
}
