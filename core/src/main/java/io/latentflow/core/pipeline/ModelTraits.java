package io.latentflow.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.model.ModelLoadException;
import io.latentflow.core.model.PipelineFolder;
import io.latentflow.core.sampling.SamplerDisplayNames;
import io.latentflow.core.sampling.Samplers;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.core.vae.AutoencoderKlConfig;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a pipeline must know of a model before it runs it, read from its folder's configurations: the scheduler, the
 * UNet's and VAE's shapes, and model_index.json's SDXL flags.
 *
 * @param forceZerosForEmptyPrompt an absent negative prompt is all-zero conditioning (SDXL's default)
 * @param requiresAestheticsScore  the UNet takes an aesthetic score among its time ids (SDXL refiner)
 */
public record ModelTraits(SchedulerConfig scheduler, UNet2dConditionConfig unet, AutoencoderKlConfig vae,
        boolean forceZerosForEmptyPrompt, boolean requiresAestheticsScore) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The traits of a pipeline folder on disk. */
    public static ModelTraits read(PipelineFolder folder) {
        Path dir = folder.dir();
        return of(tree(dir.resolve("model_index.json")),
                SchedulerConfig.load(folder.component("scheduler").resolve("scheduler_config.json")),
                UNet2dConditionConfig.load(folder.component("unet").resolve("config.json")),
                AutoencoderKlConfig.load(folder.component("vae").resolve("config.json")));
    }

    /**
     * The traits of a model given its parsed files: an SDXL model (one listing text_encoder_2) forces zeros for an
     * absent negative prompt unless model_index.json says otherwise.
     */
    public static ModelTraits of(JsonNode modelIndex, SchedulerConfig scheduler, UNet2dConditionConfig unet,
            AutoencoderKlConfig vae) {
        boolean xl = modelIndex.has("text_encoder_2");
        return new ModelTraits(scheduler, unet, vae, modelIndex.path("force_zeros_for_empty_prompt").asBoolean(xl),
                modelIndex.path("requires_aesthetics_score").asBoolean(false));
    }

    /** The sampler a request naming {@code requested} (null: none) runs: its own, else the scheduler class's. */
    public String samplerName(String requested) {
        return requested != null ? requested : Samplers.forSchedulerClass(scheduler.className());
    }

    /**
     * That sampler's name as AUTOMATIC1111's clients and PNG info readers know it, with " Karras" when it runs on
     * Karras sigmas ({@code karras} null: as the scheduler configuration says).
     */
    public String samplerDisplayName(String requested, Boolean karras) {
        return SamplerDisplayNames.of(samplerName(requested), karras != null ? karras : scheduler.useKarrasSigmas());
    }

    /** Latent channels of the VAE (the UNet's input without inpainting channels). */
    public int latentChannels() {
        return vae.latentChannels();
    }

    /** Pixels per latent cell. */
    public int vaeScaleFactor() {
        return vae.scaleFactor();
    }

    private static JsonNode tree(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot parse JSON: " + e.getMessage(), e);
        }
    }
}
