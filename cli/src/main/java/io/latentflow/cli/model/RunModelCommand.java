package io.latentflow.cli.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code latentflow run-model}: one forward pass of a model component on tensors read from a safetensors file. */
@Command(
    name = "run-model",
    mixinStandardHelpOptions = true,
    description = {
        "Run one forward pass of a model component and save its outputs.",
        "Tensor names: unet: sample, timestep, encoder_hidden_states[, text_embeds, time_ids] -> out;",
        "vae-encode: image[, sample_noise] -> latent_mean, latent_logvar, latent_std[, latent_sample];",
        "vae-decode: latent -> decoded; text-encoder: input_ids -> last_hidden_state, pooled, hidden_states_<i>[,",
        "text_embeds]. Latents are raw (no scaling_factor)."})
public final class RunModelCommand implements Callable<Integer> {

    @Mixin
    ModelSelection selection;

    @Option(names = "--inputs", required = true, description = "safetensors file with the input tensors")
    Path inputs;

    @Option(names = "--outputs", required = true, description = "safetensors file to write the outputs to")
    Path outputs;

    @Override
    public Integer call() {
        try (ComponentRunner runner = selection.open(); NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> in = SafetensorsReader.read(inputs, manager);
            long started = System.nanoTime();
            Map<String, NDArray> out = runner.run(in);
            double ms = (System.nanoTime() - started) / 1e6;
            SafetensorsWriter.write(outputs, out);
            System.out.printf("%s: %d output tensors written to %s (forward %.1f ms)%n", selection.component,
                    out.size(), outputs, ms);
            out.forEach((name, a) -> System.out.printf("  %s %s %s%n", name, a.getShape(), a.getDataType()));
            return 0;
        }
    }
}
