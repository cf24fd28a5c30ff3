package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.model.PipelineFolder;
import io.latentflow.core.sampling.Denoiser;
import io.latentflow.core.text.PromptEncoder;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.DiagonalGaussianDistribution;
import io.latentflow.core.vae.LatentScaling;

import java.nio.file.Path;

/**
 * A diffusers pipeline folder loaded into this JVM: its text encoder(s), UNet and VAE, each behind the port the
 * pipeline runs on.
 */
public final class LocalModel implements AutoCloseable {
    private final ModelTraits traits;
    private final PromptEncoder promptEncoder;
    private final UNet2dConditionModel unet;
    private final AutoencoderKl vae;

    private LocalModel(ModelTraits traits, PromptEncoder promptEncoder, UNet2dConditionModel unet, AutoencoderKl vae) {
        this.traits = traits;
        this.promptEncoder = promptEncoder;
        this.unet = unet;
        this.vae = vae;
    }

    /** Loads the text encoder(s), UNet and VAE of a pipeline folder. */
    public static LocalModel load(Path dir, ModelOptions options) {
        PipelineFolder folder = PipelineFolder.open(dir);
        ModelTraits traits = ModelTraits.read(folder);
        PromptEncoder text = PromptEncoder.load(folder, options);
        UNet2dConditionModel unet = null;
        try {
            unet = UNet2dConditionModel.load(folder.component("unet"), options);
            return new LocalModel(traits, text, unet, AutoencoderKl.load(folder.component("vae"), options));
        } catch (RuntimeException e) {
            text.close();
            if (unet != null) {
                unet.close();
            }
            throw e;
        }
    }

    public ModelTraits traits() {
        return traits;
    }

    public PromptEncoder promptEncoder() {
        return promptEncoder;
    }

    public UNet2dConditionModel unet() {
        return unet;
    }

    public AutoencoderKl vae() {
        return vae;
    }

    /** The prompt encoder as the pipeline's text port. */
    public TextConditioner text() {
        return promptEncoder::encode;
    }

    /** The UNet as the pipeline's denoiser port: both guidance branches in one UNet batch, unconditional first. */
    public DenoiserFactory denoisers() {
        return c -> {
            if (!c.guided()) {
                return new UNetDenoiser(unet, c.hiddenStates(), c.textEmbeds(), c.timeIds(), c.extraChannels(),
                        false, c.guidanceScale(), c.guidanceRescale());
            }
            NDArray extra = c.extraChannels() == null ? null : c.extraChannels().concat(c.extraChannels(), 0);
            Denoiser guided = new UNetDenoiser(unet, c.negativeHiddenStates().concat(c.hiddenStates(), 0),
                    both(c.negativeTextEmbeds(), c.textEmbeds()), both(c.negativeTimeIds(), c.timeIds()), extra,
                    true, c.guidanceScale(), c.guidanceRescale());
            return guided;
        };
    }

    /** The VAE as the pipeline's latent port. */
    public LatentCodec codec() {
        LatentScaling scaling = LatentScaling.of(vae.config());
        return new LatentCodec() {
            @Override
            public NDArray encode(NDArray images, NDArray posteriorNoise) {
                DiagonalGaussianDistribution posterior = vae.encode(images);
                return scaling.scale(posterior.sample(posteriorNoise));
            }

            @Override
            public NDArray decode(NDArray latents) {
                return vae.decode(scaling.unscale(latents));
            }
        };
    }

    private static NDArray both(NDArray negative, NDArray positive) {
        return positive == null ? null : negative.concat(positive, 0);
    }

    @Override
    public void close() {
        promptEncoder.close();
        unet.close();
        vae.close();
    }
}
