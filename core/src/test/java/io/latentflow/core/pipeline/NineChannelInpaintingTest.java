package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.OracleFiles;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 9-channel inpainting path on a UNet whose conv_in is the tiny 4-channel one widened with zero weights for the
 * mask and masked-image channels: its result must equal txt2img from the same first noise draw, and a 4-channel
 * request to it must be refused.
 */
class NineChannelInpaintingTest {

    @Test
    void zeroWeightedExtraChannelsReduceToTxt2img(@TempDir Path dir) throws IOException {
        Path source = OracleFiles.root().resolve("pipeline_sd_tiny");
        Path folder = widenedPipeline(source, dir);
        try (NDManager manager = NDManager.newBaseManager();
             LatentDiffusionPipeline inpainting = LatentDiffusionPipeline.load(folder, ModelOptions.defaults());
             LatentDiffusionPipeline plain = LatentDiffusionPipeline.load(source, ModelOptions.defaults())) {
            assertEquals(9, inpainting.traits().unet().inChannels());
            NDArray image = manager.randomUniform(-1, 1, new Shape(1, 3, 64, 64));
            NDArray mask = manager.zeros(new Shape(1, 1, 64, 64));
            GenerationResult inpainted = inpainting.generate(GenerationRequest.builder("a green triangle")
                    .steps(4).seeds(21).initImage(image, 1.0).mask(mask).build(), manager);
            GenerationResult reference = plain.generate(GenerationRequest.builder("a green triangle")
                    .steps(4).seeds(21).build(), manager);
            double d = OracleFiles.maxAbsDiff(inpainted.latents(), reference.latents());
            assertTrue(d <= 1e-4, "9-channel path differs from txt2img by " + d);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> inpainting.generate(GenerationRequest.builder("x").steps(2).build(), manager));
            assertTrue(e.getMessage().contains("mask"), e.getMessage());
        }
    }

    private static Path widenedPipeline(Path source, Path dir) throws IOException {
        Path folder = dir.resolve("inpaint");
        Files.createDirectories(folder.resolve("unet"));
        Files.copy(source.resolve("model_index.json"), folder.resolve("model_index.json"));
        for (String component : new String[] {"scheduler", "text_encoder", "tokenizer", "vae"}) {
            Files.createSymbolicLink(folder.resolve(component), source.resolve(component).toAbsolutePath());
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(source.resolve("unet/config.json").toFile());
        config.put("in_channels", 9);
        json.writeValue(folder.resolve("unet/config.json").toFile(), config);
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = new HashMap<>(SafetensorsReader.read(
                    source.resolve("unet/diffusion_pytorch_model.safetensors"), manager));
            NDArray convIn = weights.get("conv_in.weight");
            Shape s = convIn.getShape();
            NDArray extra = manager.zeros(new Shape(s.get(0), 5, s.get(2), s.get(3)));
            weights.put("conv_in.weight", convIn.concat(extra, 1));
            SafetensorsWriter.write(folder.resolve("unet/diffusion_pytorch_model.safetensors"), weights);
        }
        return folder;
    }
}
