package io.latentflow.cli.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.DiagonalGaussianDistribution;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * VAE encode: image (+ optional sample_noise) -> latent_mean, latent_logvar, latent_std (+ latent_sample);
 * VAE decode: latent -> decoded. Latents are raw (no scaling_factor).
 */
final class VaeRunner implements ComponentRunner {

    private final AutoencoderKl vae;
    private final boolean encode;
    private final Path dir;

    VaeRunner(Path dir, ModelOptions options, boolean encode, boolean randomWeights) {
        this.vae = randomWeights ? AutoencoderKl.withRandomWeights(dir.resolve("config.json"), options)
                : AutoencoderKl.load(dir, options);
        this.encode = encode;
        this.dir = dir;
    }

    @Override
    public Map<String, NDArray> run(Map<String, NDArray> inputs) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        if (!encode) {
            out.put("decoded", vae.decode(ComponentRunner.required(inputs, "latent", "vae-decode")));
            return out;
        }
        DiagonalGaussianDistribution posterior = vae.encode(ComponentRunner.required(inputs, "image", "vae-encode"));
        out.put("latent_mean", posterior.mean());
        out.put("latent_logvar", posterior.logvar());
        out.put("latent_std", posterior.std());
        NDArray noise = inputs.get("sample_noise");
        if (noise != null) {
            out.put("latent_sample", posterior.sample(noise));
        }
        return out;
    }

    @Override
    public Map<String, NDArray> exampleInputs(NDManager manager, int batch, int height, int width) {
        Map<String, NDArray> in = new LinkedHashMap<>();
        if (encode) {
            in.put("image", manager.randomUniform(-1f, 1f, new Shape(batch, vae.config().inChannels(), height, width)));
        } else {
            in.put("latent", manager.randomNormal(new Shape(batch, vae.config().latentChannels(), height, width)));
        }
        return in;
    }

    @Override
    public long parameterCount() {
        return ComponentRunner.scalars(AutoencoderKl.parameterShapes(vae.config()));
    }

    @Override
    public Path configFile() {
        return dir.resolve("config.json");
    }

    @Override
    public void close() {
        vae.close();
    }
}
