package io.latentflow.core.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.model.PipelineFolder;
import io.latentflow.core.tensor.SafetensorsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** float32 port of a float32 reference (oracle README). */
    private static final double TOLERANCE = 1e-4;

    @Test
    void sdPipelinePromptEmbedsMatchTheOracle() throws IOException {
        Path dir = Oracle.dir("pipeline_sd_tiny");
        JsonNode cases = JSON.readTree(dir.resolve("cases.json").toFile()).get("cases");
        try (PromptEncoder encoder = PromptEncoder.load(PipelineFolder.open(dir), ModelOptions.defaults());
             NDManager manager = NDManager.newBaseManager()) {
            assertFalse(encoder.hasPooled());
            assertEquals(32, encoder.hiddenSize());
            Map<String, NDArray> tensors = SafetensorsReader.read(dir.resolve("cases.safetensors"), manager);
            for (JsonNode c : cases) {
                int index = c.get("index").asInt();
                String prompt = c.get("prompt").asText();
                String negative = c.path("call_kwargs").path("negative_prompt").asText("");
                String p = "case" + index + ".";
                assertArrayEquals(tensors.get(p + "prompt_input_ids").toLongArray(),
                        encoder.tokenizer().encode(prompt), "prompt ids of case " + index);
                assertArrayEquals(tensors.get(p + "negative_input_ids").toLongArray(),
                        encoder.tokenizer().encode(negative), "negative prompt ids of case " + index);

                PromptEmbeddings embeddings = encoder.encode(List.of(negative, prompt), manager);
                assertEquals(new Shape(2, 77, 32), embeddings.hiddenStates().getShape());
                assertNull(embeddings.pooled());
                double negativeError = ClipTextModelTest.maxAbsDiff(tensors.get(p + "negative_prompt_embeds"),
                        embeddings.hiddenStates().get(new NDIndex("0:1")));
                double promptError = ClipTextModelTest.maxAbsDiff(tensors.get(p + "prompt_embeds"),
                        embeddings.hiddenStates().get(new NDIndex("1:2")));
                System.out.printf("pipeline_sd_tiny case%d prompt_embeds max abs error %.2e, negative_prompt_embeds"
                        + " %.2e%n", index, promptError, negativeError);
                assertTrue(promptError <= TOLERANCE, "prompt_embeds error " + promptError);
                assertTrue(negativeError <= TOLERANCE, "negative_prompt_embeds error " + negativeError);
                assertArrayEquals(new int[] {countOnes(tensors.get(p + "negative_input_ids")),
                        countOnes(tensors.get(p + "prompt_input_ids"))}, embeddings.tokenCounts());
            }
        }
    }

    @Test
    void sdxlConcatenatesPenultimateStatesAndPoolsTheSecondEncoder(@TempDir Path dir) throws IOException {
        writeSdxlFolder(dir);
        List<String> prompts = List.of("a photo of a cat", "wow! a red circle on a blue background", "");
        try (PromptEncoder encoder = PromptEncoder.load(PipelineFolder.open(dir), ModelOptions.defaults());
             ClipTextModel first = ClipTextModel.load(dir.resolve("text_encoder"), ModelOptions.defaults());
             ClipTextModel second = ClipTextModel.load(dir.resolve("text_encoder_2"), ModelOptions.defaults());
             NDManager manager = NDManager.newBaseManager()) {
            assertTrue(encoder.hasPooled());
            assertEquals(64, encoder.hiddenSize());
            PromptEmbeddings embeddings = encoder.encode(prompts, manager);
            assertEquals(new Shape(3, 77, 64), embeddings.hiddenStates().getShape());
            assertEquals(new Shape(3, 24), embeddings.pooled().getShape());
            assertTrue(embeddings.hasPooled());

            ClipTokenizer tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
            ClipTokenizer tokenizer2 = ClipTokenizer.load(dir.resolve("tokenizer_2"));
            ClipTextOutput out1 = first.forward(ids(manager, tokenizer, prompts));
            ClipTextOutput out2 = second.forward(ids(manager, tokenizer2, prompts));
            // text_encoder: 2 layers -> hidden_states[1]; text_encoder_2: 3 layers -> hidden_states[2]
            assertEquals(0.0, ClipTextModelTest.maxAbsDiff(out1.hiddenStates().get(1),
                    embeddings.hiddenStates().get(new NDIndex(":, :, 0:32"))), 0.0);
            assertEquals(0.0, ClipTextModelTest.maxAbsDiff(out2.hiddenStates().get(2),
                    embeddings.hiddenStates().get(new NDIndex(":, :, 32:64"))), 0.0);
            assertEquals(0.0, ClipTextModelTest.maxAbsDiff(out2.textEmbeds(), embeddings.pooled()), 0.0);
            // tokenizer_2 pads with "!" (id 0) and splits a literal "!" off as that token
            assertEquals(0, tokenizer2.encode("")[2]);
            assertArrayEquals(new int[] {7, 12, 2}, embeddings.tokenCounts());
        }
    }

    @Test
    void encodingKeepsOnlyTheResults(@TempDir Path dir) throws IOException {
        writeSdxlFolder(dir);
        try (PromptEncoder encoder = PromptEncoder.load(PipelineFolder.open(dir), ModelOptions.defaults());
             NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < 5; i++) {
                PromptEmbeddings embeddings = encoder.encode(List.of("a cat", "a dog"), manager);
                assertEquals(2, manager.getManagedArrays().size());
                embeddings.hiddenStates().close();
                embeddings.pooled().close();
            }
            assertEquals(0, manager.getManagedArrays().size());
        }
    }

    private static NDArray ids(NDManager manager, ClipTokenizer tokenizer, List<String> prompts) {
        long[] ids = new long[prompts.size() * 77];
        for (int b = 0; b < prompts.size(); b++) {
            System.arraycopy(tokenizer.encode(prompts.get(b)), 0, ids, b * 77, 77);
        }
        return manager.create(ids, new Shape(prompts.size(), 77));
    }

    private static int countOnes(NDArray ids) {
        // non-padding length: BOS .. first EOS inclusive (pad == EOS in this tokenizer)
        long[] values = ids.toLongArray();
        for (int i = 1; i < values.length; i++) {
            if (values[i] == 999) {
                return i + 1;
            }
        }
        return values.length;
    }

    /** An SDXL-shaped folder: clip_text_tiny as text_encoder, clip_text_proj_tiny as text_encoder_2, toy tokenizers. */
    private static void writeSdxlFolder(Path dir) throws IOException {
        Path tokenizer = Oracle.dir("tokenizer_clip_toy");
        copy(Oracle.dir("clip_text_tiny"), dir.resolve("text_encoder"), "config.json", "model.safetensors");
        copy(Oracle.dir("clip_text_proj_tiny"), dir.resolve("text_encoder_2"), "config.json", "model.safetensors");
        copy(tokenizer, dir.resolve("tokenizer"), "vocab.json", "merges.txt", "tokenizer_config.json",
                "special_tokens_map.json");
        copy(tokenizer, dir.resolve("tokenizer_2"), "vocab.json", "merges.txt");
        for (String file : List.of("tokenizer_config.json", "special_tokens_map.json")) {
            ObjectNode node = (ObjectNode) JSON.readTree(tokenizer.resolve(file).toFile());
            node.put("pad_token", "!");
            JSON.writeValue(dir.resolve("tokenizer_2").resolve(file).toFile(), node);
        }
        ObjectNode index = JSON.createObjectNode();
        index.put("_class_name", "StableDiffusionXLPipeline");
        index.put("_diffusers_version", "0.27.2");
        index.set("text_encoder", JSON.createArrayNode().add("transformers").add("CLIPTextModel"));
        index.set("text_encoder_2", JSON.createArrayNode().add("transformers").add("CLIPTextModelWithProjection"));
        index.set("tokenizer", JSON.createArrayNode().add("transformers").add("CLIPTokenizer"));
        index.set("tokenizer_2", JSON.createArrayNode().add("transformers").add("CLIPTokenizer"));
        JSON.writeValue(dir.resolve("model_index.json").toFile(), index);
    }

    private static void copy(Path from, Path to, String... files) throws IOException {
        Files.createDirectories(to);
        for (String file : files) {
            Files.copy(from.resolve(file), to.resolve(file));
        }
    }
}
