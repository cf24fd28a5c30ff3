package io.latentflow.core.model;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.OracleCases;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.core.vae.AutoencoderKl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading component folders built from the oracle files, including the ways a folder can be broken. */
class ComponentLoadingTest {

    @TempDir
    Path tmp;

    private Path folderWith(String oracle, Map<String, NDArray> tensors, String fileName) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(oracle + "-" + fileName.replace('.', '_')));
        Files.copy(OracleCases.dir(oracle).resolve("config.json"), dir.resolve("config.json"));
        SafetensorsWriter.write(dir.resolve(fileName), tensors);
        return dir;
    }

    private static Map<String, NDArray> oracleWeights(String oracle, NDManager manager) {
        return new LinkedHashMap<>(SafetensorsReader.read(OracleCases.dir(oracle).resolve("model.safetensors"),
                manager));
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> w = oracleWeights("vae_tiny", manager);
            w.remove("decoder.up_blocks.0.resnets.1.conv2.weight");
            Path dir = folderWith("vae_tiny", w, "diffusion_pytorch_model.safetensors");
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> AutoencoderKl.load(dir, ModelOptions.defaults()));
            assertTrue(e.getMessage().contains("missing tensor 'decoder.up_blocks.0.resnets.1.conv2.weight'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("diffusion_pytorch_model.safetensors"), e.getMessage());
        }
    }

    @Test
    void wrongShapeIsNamedWithBothShapes() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> w = oracleWeights("unet_sd_tiny", manager);
            w.put("conv_in.weight", manager.zeros(new Shape(32, 5, 3, 3)));
            w.put("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k.weight", manager.zeros(new Shape(32, 31)));
            Path dir = folderWith("unet_sd_tiny", w, "diffusion_pytorch_model.safetensors");
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> UNet2dConditionModel.load(dir, ModelOptions.defaults()));
            assertTrue(e.getMessage().contains("'conv_in.weight' has shape (32, 5, 3, 3) but the model needs "
                    + "(32, 4, 3, 3)"), e.getMessage());
            assertTrue(e.getMessage().contains("'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k.weight' has "
                    + "shape (32, 31) but the model needs (32, 32)"), e.getMessage());
        }
    }

    @Test
    void unexpectedTensorIsReportedButLoads() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> w = oracleWeights("vae_tiny", manager);
            w.put("encoder.extra.weight", manager.zeros(new Shape(2)));
            Path dir = folderWith("vae_tiny", w, "model.safetensors");
            try (AutoencoderKl vae = AutoencoderKl.load(dir, ModelOptions.defaults())) {
                assertEquals(java.util.List.of("encoder.extra.weight"), vae.loadReport().unexpected());
            }
        }
    }

    @Test
    void loneSafetensorsFileUnderAnotherNameIsFound() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path dir = folderWith("vae_tiny", oracleWeights("vae_tiny", manager), "vae-ft-mse.safetensors");
            assertEquals(dir.resolve("vae-ft-mse.safetensors"), ComponentWeights.locate(dir));
            Files.write(dir.resolve("other.safetensors"), new byte[0]);
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> ComponentWeights.locate(dir));
            assertTrue(e.getMessage().contains("cannot tell which weights") && e.getMessage().contains("other.safetensors"),
                    e.getMessage());
        }
    }

    @Test
    void truncatedWeightsFileIsNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("truncated"));
        Files.copy(OracleCases.dir("vae_tiny").resolve("config.json"), dir.resolve("config.json"));
        byte[] bytes = Files.readAllBytes(OracleCases.dir("vae_tiny").resolve("model.safetensors"));
        Path file = dir.resolve("diffusion_pytorch_model.safetensors");
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> AutoencoderKl.load(dir, ModelOptions.defaults()));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("out of range"),
                e.getMessage());
    }

    @Test
    void pickledCheckpointIsRefusedWithConversionAdvice() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("pickled"));
        Files.copy(OracleCases.dir("unet_sd_tiny").resolve("config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("model.ckpt"), new byte[] {(byte) 0x80, 2, 'N', '.'});
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> UNet2dConditionModel.load(dir, ModelOptions.defaults()));
        assertTrue(e.getMessage().contains("model.ckpt") && e.getMessage().contains("safetensors"), e.getMessage());
    }

    @Test
    void shardedCheckpointLoadsAndMatchesOracle() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> w = oracleWeights("unet_sd_tiny", manager);
            Map<String, NDArray> first = new LinkedHashMap<>();
            Map<String, NDArray> second = new LinkedHashMap<>();
            StringBuilder index = new StringBuilder("{\"metadata\":{},\"weight_map\":{");
            int i = 0;
            for (Map.Entry<String, NDArray> e : w.entrySet()) {
                String shard = i % 2 == 0 ? "part-00001.safetensors" : "part-00002.safetensors";
                (i % 2 == 0 ? first : second).put(e.getKey(), e.getValue());
                index.append(i == 0 ? "" : ",").append('"').append(e.getKey()).append("\":\"").append(shard)
                        .append('"');
                i++;
            }
            index.append("}}");
            Path dir = folderWith("unet_sd_tiny", first, "part-00001.safetensors");
            SafetensorsWriter.write(dir.resolve("part-00002.safetensors"), second);
            Files.writeString(dir.resolve("diffusion_pytorch_model.safetensors.index.json"), index);
            OracleCases cases = OracleCases.read("unet_sd_tiny", manager);
            try (UNet2dConditionModel unet = UNet2dConditionModel.load(dir, ModelOptions.defaults())) {
                NDArray out = unet.forward(cases.get(0, "sample"), cases.get(0, "timestep"),
                        cases.get(0, "encoder_hidden_states"), null, null);
                assertTrue(OracleCases.maxAbsError(out, cases.get(0, "expected_out")) <= 1e-4f);
            }
        }
    }

    @Test
    void legacyVaeAttentionNamesLoad() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> renamed = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : oracleWeights("vae_tiny", manager).entrySet()) {
                String k = e.getKey().replace(".to_q.", ".query.").replace(".to_k.", ".key.")
                        .replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn.");
                NDArray t = e.getValue();
                // some converted checkpoints store the projections as 1x1 convolutions
                renamed.put(k, k.contains(".query.weight") ? t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1)
                        : t);
            }
            Path dir = folderWith("vae_tiny", renamed, "diffusion_pytorch_model.safetensors");
            OracleCases cases = OracleCases.read("vae_tiny", manager);
            try (AutoencoderKl vae = AutoencoderKl.load(dir, ModelOptions.defaults())) {
                assertTrue(vae.loadReport().unexpected().isEmpty());
                NDArray decoded = vae.decode(cases.get(0, "latent"));
                assertTrue(OracleCases.maxAbsError(decoded, cases.get(0, "expected_decoded")) <= 1e-4f);
            }
        }
    }

    @Test
    void forwardPassesLeaveOnlyTheirResults() {
        try (NDManager manager = NDManager.newBaseManager();
             UNet2dConditionModel unet = UNet2dConditionModel.load(OracleCases.dir("unet_sdxl_tiny"),
                     ModelOptions.defaults())) {
            OracleCases cases = OracleCases.read("unet_sdxl_tiny", manager);
            NDArray[] in = {cases.get(1, "sample"), cases.get(1, "timestep"), cases.get(1, "encoder_hidden_states"),
                    cases.get(1, "text_embeds"), cases.get(1, "time_ids")};
            unet.forward(in[0], in[1], in[2], in[3], in[4]).close();
            int modelArrays = unet.residentArrayCount();
            int callerArrays = ((BaseNDManager) manager).getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                unet.forward(in[0], in[1], in[2], in[3], in[4]).close();
            }
            assertEquals(modelArrays, unet.residentArrayCount());
            assertEquals(callerArrays, ((BaseNDManager) manager).getManagedArrays().size());
            for (NDArray a : in) {
                assertEquals(manager, a.getManager());
            }
        }
    }

    @Test
    void float16UnetStaysCloseToFloat32() {
        try (NDManager manager = NDManager.newBaseManager();
             UNet2dConditionModel unet = UNet2dConditionModel.load(OracleCases.dir("unet_sd_tiny"),
                     ModelOptions.of("cpu", "float16"))) {
            assertEquals(DataType.FLOAT16, unet.dataType());
            OracleCases cases = OracleCases.read("unet_sd_tiny", manager);
            NDArray out = unet.forward(cases.get(1, "sample"), cases.get(1, "timestep"),
                    cases.get(1, "encoder_hidden_states"), null, null);
            assertEquals(DataType.FLOAT32, out.getDataType());
            float err = OracleCases.maxAbsError(out, cases.get(1, "expected_out"));
            System.out.printf("unet_sd_tiny float16 case1 max abs error %.3g%n", err);
            assertTrue(err < 5e-2f, "float16 error " + err);
        }
    }

    @Test
    void randomWeightsCoverExactlyTheCheckpointKeys() {
        try (NDManager manager = NDManager.newBaseManager();
             UNet2dConditionModel unet = UNet2dConditionModel.withRandomWeights(
                     OracleCases.dir("unet_sdxl_tiny").resolve("config.json"), ModelOptions.defaults());
             AutoencoderKl vae = AutoencoderKl.withRandomWeights(OracleCases.dir("vae_tiny").resolve("config.json"),
                     ModelOptions.defaults())) {
            assertEquals(oracleWeights("unet_sdxl_tiny", manager).keySet(), unet.loadReport().used());
            assertTrue(unet.loadReport().complete() && unet.loadReport().unexpected().isEmpty());
            assertEquals(oracleWeights("vae_tiny", manager).keySet(), vae.loadReport().used());
            OracleCases cases = OracleCases.read("unet_sdxl_tiny", manager);
            NDArray out = unet.forward(cases.get(0, "sample"), cases.get(0, "timestep"),
                    cases.get(0, "encoder_hidden_states"), cases.get(0, "text_embeds"), cases.get(0, "time_ids"));
            assertTrue(Float.isFinite(out.abs().max().getFloat()));
        }
    }

    @Test
    void pipelineFolderNamesComponents() {
        PipelineFolder p = PipelineFolder.open(OracleCases.dir("pipeline_sd_tiny"));
        assertEquals("StableDiffusionPipeline", p.pipelineClass());
        assertTrue(p.has("unet") && p.has("vae") && p.has("scheduler"));
        assertFalse(p.has("text_encoder_2"));
        assertEquals("AutoencoderKL", p.className("vae"));
        assertEquals(OracleCases.dir("pipeline_sd_tiny").resolve("unet"), p.component("unet"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> p.component("text_encoder_2"));
        assertTrue(e.getMessage().contains("text_encoder_2"), e.getMessage());
        ModelLoadException notPipeline = assertThrows(ModelLoadException.class,
                () -> PipelineFolder.open(OracleCases.dir("vae_tiny")));
        assertTrue(notPipeline.getMessage().contains("model_index.json"));
    }

    @Test
    void optionsParseDeviceAndDtype() {
        assertEquals(ModelOptions.defaults(), ModelOptions.of("cpu", "float32"));
        assertEquals(ModelOptions.defaults(), ModelOptions.of(null, null));
        assertEquals(DataType.FLOAT16, ModelOptions.of("cpu", "float16").dataType());
        assertEquals(ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() > 0,
                ModelOptions.of("auto", "float32").device().isGpu());
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.of("tpu", "float32"));
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.of("cpu", "int8"));
    }
}
