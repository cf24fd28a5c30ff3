package io.latentflow.core.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A vocabulary learnt from captions loads as a CLIP tokenizer and spells every caption word as one token. */
class ClipBpeLearnerTest {

    @TempDir
    Path dir;

    @Test
    void learntVocabularyMakesEveryCorpusWordOneTokenAndLoadsAsAClipTokenizer() throws Exception {
        List<String> corpus = List.of("a large red circle on a blue background",
                "a small green square on an orange background, top left",
                "a large black triangle on a white background, bottom right");
        List<String[]> merges = ClipBpeLearner.learn(corpus, 10_000);
        int vocabSize = ClipBpeLearner.write(merges, dir, 77);
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        assertEquals(List.of("a</w>", "large</w>", "red</w>", "circle</w>", "on</w>", "a</w>", "blue</w>",
                "background</w>"), tokenizer.tokenize(corpus.get(0)));
        assertEquals(List.of("a</w>", "small</w>", "green</w>", "square</w>", "on</w>", "an</w>", "orange</w>",
                "background</w>", ",</w>", "top</w>", "left</w>"), tokenizer.tokenize(corpus.get(1)));
        long[] ids = tokenizer.encode(corpus.get(0));
        assertEquals(vocabSize - 2, ids[0], "start token after the merges");
        assertEquals(vocabSize - 1, ids[9], "end token closes the 8 words");
        Map<?, ?> vocab = new ObjectMapper().readValue(dir.resolve("vocab.json").toFile(), Map.class);
        assertEquals(vocabSize, vocab.size());
        assertEquals(0, vocab.get("!"), "CLIP's vocabulary starts with the printable bytes");
        assertEquals(256, vocab.get("!</w>"));
        assertTrue(Files.readString(dir.resolve("merges.txt")).startsWith("#version: 0.2\n"));
        // words never seen still tokenize, byte by byte
        assertEquals(List.of("z", "z</w>"), tokenizer.tokenize("zz"));
    }
}
