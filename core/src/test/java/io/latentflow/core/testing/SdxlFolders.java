package io.latentflow.core.testing;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.core.nn.RandomWeights;
import io.latentflow.core.sampling.OracleFiles;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tiny SDXL base and refiner pipeline folders laid out as diffusers saves them: the oracle's CLIP text encoders
 * (hidden size 32 each; text_encoder_2 projects to 24) and toy tokenizer, the tiny VAE, SDXL's Euler scheduler
 * configuration, and a text_time UNet of the oracle unet_sdxl_tiny architecture with seeded random weights whose
 * cross-attention and added-embedding widths fit the encoders: base 32 + 32 = 64 and 24 + 6 * 8 = 72, refiner 32 and
 * 24 + 5 * 8 = 64.
 */
public final class SdxlFolders {
    public static final int POOLED_DIM = 24;
    public static final int TIME_EMBED_DIM = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SdxlFolders() {
    }

    /** StableDiffusionXLPipeline: both encoders, force_zeros_for_empty_prompt. */
    public static Path base(Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("sdxl-base"));
        ObjectNode index = index("StableDiffusionXLPipeline");
        index.putArray("text_encoder").add("transformers").add("CLIPTextModel");
        index.putArray("tokenizer").add("transformers").add("CLIPTokenizer");
        index.put("force_zeros_for_empty_prompt", true);
        JSON.writeValue(folder.resolve("model_index.json").toFile(), index);
        textEncoder(folder.resolve("text_encoder"), "clip_text_tiny");
        copy(oracle("tokenizer_clip_toy"), folder.resolve("tokenizer"), "vocab.json", "merges.txt",
                "tokenizer_config.json", "special_tokens_map.json");
        common(folder);
        unet(folder.resolve("unet"), 32 + 32, POOLED_DIM + 6 * TIME_EMBED_DIM, 11);
        return folder;
    }

    /** StableDiffusionXLImg2ImgPipeline with only text_encoder_2, as the SDXL refiner ships. */
    public static Path refiner(Path dir, boolean requiresAestheticsScore) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("sdxl-refiner-" + requiresAestheticsScore));
        ObjectNode index = index("StableDiffusionXLImg2ImgPipeline");
        index.putArray("text_encoder").addNull().addNull();
        index.putArray("tokenizer").addNull().addNull();
        index.put("requires_aesthetics_score", requiresAestheticsScore);
        index.put("force_zeros_for_empty_prompt", false);
        JSON.writeValue(folder.resolve("model_index.json").toFile(), index);
        common(folder);
        unet(folder.resolve("unet"), 32, POOLED_DIM + 5 * TIME_EMBED_DIM, 12);
        return folder;
    }

    private static ObjectNode index(String pipelineClass) {
        ObjectNode index = JSON.createObjectNode();
        index.put("_class_name", pipelineClass);
        index.put("_diffusers_version", "0.27.2");
        index.putArray("scheduler").add("diffusers").add("EulerDiscreteScheduler");
        index.putArray("text_encoder_2").add("transformers").add("CLIPTextModelWithProjection");
        index.putArray("tokenizer_2").add("transformers").add("CLIPTokenizer");
        index.putArray("unet").add("diffusers").add("UNet2DConditionModel");
        index.putArray("vae").add("diffusers").add("AutoencoderKL");
        return index;
    }

    /** text_encoder_2, tokenizer_2 (pad token "!"), scheduler and VAE, shared by base and refiner. */
    private static void common(Path folder) throws IOException {
        textEncoder(folder.resolve("text_encoder_2"), "clip_text_proj_tiny");
        Path tokenizer = folder.resolve("tokenizer_2");
        copy(oracle("tokenizer_clip_toy"), tokenizer, "vocab.json", "merges.txt");
        for (String file : new String[] {"tokenizer_config.json", "special_tokens_map.json"}) {
            ObjectNode config = (ObjectNode) JSON.readTree(oracle("tokenizer_clip_toy").resolve(file).toFile());
            config.put("pad_token", "!");
            JSON.writeValue(tokenizer.resolve(file).toFile(), config);
        }
        Path scheduler = Files.createDirectories(folder.resolve("scheduler"));
        ObjectNode euler = JSON.createObjectNode();
        euler.put("_class_name", "EulerDiscreteScheduler");
        euler.put("_diffusers_version", "0.19.0.dev0");
        euler.put("beta_end", 0.012);
        euler.put("beta_schedule", "scaled_linear");
        euler.put("beta_start", 0.00085);
        euler.put("clip_sample", false);
        euler.put("interpolation_type", "linear");
        euler.put("num_train_timesteps", 1000);
        euler.put("prediction_type", "epsilon");
        euler.put("sample_max_value", 1.0);
        euler.put("set_alpha_to_one", false);
        euler.put("skip_prk_steps", true);
        euler.put("steps_offset", 1);
        euler.put("timestep_spacing", "leading");
        euler.putNull("trained_betas");
        euler.put("use_karras_sigmas", false);
        JSON.writeValue(scheduler.resolve("scheduler_config.json").toFile(), euler);
        copy(oracle("pipeline_sd_tiny").resolve("vae"), folder.resolve("vae"), "config.json",
                "diffusion_pytorch_model.safetensors");
    }

    private static void textEncoder(Path dir, String oracleName) throws IOException {
        copy(oracle(oracleName), dir, "config.json", "model.safetensors");
    }

    private static void copy(Path from, Path to, String... files) throws IOException {
        Files.createDirectories(to);
        for (String file : files) {
            Files.copy(from.resolve(file), to.resolve(file));
        }
    }

    /**
     * The unet_sdxl_tiny architecture (blocks 16/32/64, heads 2/4/8, addition_time_embed_dim 8) with the given
     * cross_attention_dim and projection_class_embeddings_input_dim; every tensor drawn by {@link RandomWeights} after
     * seeding the engine, so the folder is the same on every run.
     */
    private static void unet(Path dir, int crossAttentionDim, int projectionInputDim, int seed) throws IOException {
        Files.createDirectories(dir);
        Path template = oracle("unet_sdxl_tiny");
        ObjectNode config = (ObjectNode) JSON.readTree(template.resolve("config.json").toFile());
        int templateCross = config.get("cross_attention_dim").asInt();
        config.put("cross_attention_dim", crossAttentionDim);
        config.put("projection_class_embeddings_input_dim", projectionInputDim);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        try (NDManager manager = NDManager.newBaseManager()) {
            // shapes of the template checkpoint; the widths that follow the two changed config values are replaced
            Map<String, Shape> shapes = new LinkedHashMap<>();
            SafetensorsReader.read(template.resolve("model.safetensors"), manager).forEach((key, t) -> {
                Shape s = t.getShape();
                boolean contextProjection = key.contains("attn2.to_k.") || key.contains("attn2.to_v.");
                if (contextProjection && s.get(1) == templateCross) {
                    s = new Shape(s.get(0), crossAttentionDim);
                } else if (key.equals("add_embedding.linear_1.weight")) {
                    s = new Shape(s.get(0), projectionInputDim);
                }
                shapes.put(key, s);
            });
            Engine.getInstance().setRandomSeed(seed);
            Map<String, NDArray> weights = RandomWeights.create(shapes, manager, DataType.FLOAT32);
            SafetensorsWriter.write(dir.resolve("diffusion_pytorch_model.safetensors"), weights);
        }
    }

    private static Path oracle(String name) {
        return OracleFiles.root().resolve(name).toAbsolutePath();
    }
}
