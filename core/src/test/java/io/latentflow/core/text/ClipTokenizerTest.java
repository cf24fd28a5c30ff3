package io.latentflow.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClipTokenizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyOracleCaseGivesTheExpectedIds() throws IOException {
        Path dir = Oracle.dir("tokenizer_clip_toy");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        JsonNode cases = JSON.readTree(dir.resolve("cases.json").toFile()).get("cases");
        assertEquals(28, cases.size());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String text = c.get("text").asText();
            long[] expectedIds = new long[c.get("input_ids").size()];
            for (int k = 0; k < expectedIds.length; k++) {
                expectedIds[k] = c.get("input_ids").get(k).asLong();
            }
            List<String> expectedTokens = new ArrayList<>();
            c.get("tokens").forEach(t -> expectedTokens.add(t.asText()));
            int expectedCount = 0;
            for (JsonNode m : c.get("attention_mask")) {
                expectedCount += m.asInt();
            }
            if (!java.util.Arrays.equals(expectedIds, tokenizer.encode(text))
                    || !expectedTokens.equals(tokenizer.tokenize(text))
                    || expectedCount != tokenizer.tokenCount(text)
                    || (c.hasNonNull("cleaned_text") && !c.get("cleaned_text").asText().equals(ClipTextCleaner.clean(text)))) {
                failures.add("case " + i + " (" + c.get("description").asText() + "): tokens " + tokenizer.tokenize(text)
                        + " expected " + expectedTokens);
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void configuredLengthAndSpecialIdsAreRead() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Oracle.dir("tokenizer_clip_toy"));
        assertEquals(77, tokenizer.maxLength());
        assertEquals(998, tokenizer.bosTokenId());
        assertEquals(999, tokenizer.eosTokenId());
        assertEquals(999, tokenizer.padTokenId());
    }

    @Test
    void emptyPromptIsStartEndThenPadding() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Oracle.dir("tokenizer_clip_toy"));
        long[] ids = tokenizer.encode("");
        assertEquals(77, ids.length);
        assertEquals(998, ids[0]);
        for (int i = 1; i < ids.length; i++) {
            assertEquals(999, ids[i]);
        }
        assertEquals(2, tokenizer.tokenCount(""));
    }

    @Test
    void exclamationPadTokenIsSplitOffAndPads(@TempDir Path dir) throws IOException {
        Path source = Oracle.dir("tokenizer_clip_toy");
        for (String file : List.of("vocab.json", "merges.txt", "special_tokens_map.json")) {
            Files.copy(source.resolve(file), dir.resolve(file));
        }
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("tokenizer_config.json").toFile());
        config.put("pad_token", "!");
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        ObjectNode specialMap = (ObjectNode) JSON.readTree(source.resolve("special_tokens_map.json").toFile());
        specialMap.put("pad_token", "!");
        JSON.writeValue(dir.resolve("special_tokens_map.json").toFile(), specialMap);

        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        assertEquals(0, tokenizer.padTokenId());
        assertEquals(List.of("wo", "w</w>", "!"), tokenizer.tokenize("wow!"));
        long[] ids = tokenizer.encode("wow!");
        assertEquals(998, ids[0]);
        assertEquals(0, ids[3]);
        assertEquals(999, ids[4]);
        assertArrayEquals(new long[72], java.util.Arrays.copyOfRange(ids, 5, 77));
        assertEquals(5, tokenizer.tokenCount("wow!"));
    }
}
