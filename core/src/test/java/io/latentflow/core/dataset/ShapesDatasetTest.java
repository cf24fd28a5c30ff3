package io.latentflow.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated shapes dataset: determinism, captions, held-out compositions and the folder it writes. */
class ShapesDatasetTest {

    static final Pattern GRAMMAR = Pattern.compile(
            "a (small|large) (red|green|blue|yellow|purple|orange|white|black) (circle|square|triangle)"
                    + " on (a (red|green|blue|yellow|purple|white|black)|an orange) background"
                    + "(, (top left|top right|bottom left|bottom right))?");

    @Test
    void theSameSeedWritesByteIdenticalFiles(@TempDir Path dir) throws IOException {
        Dataset first = ShapesDataset.write(dir.resolve("a"), 12, 64, 7);
        Dataset second = ShapesDataset.write(dir.resolve("b"), 12, 64, 7);
        Dataset other = ShapesDataset.write(dir.resolve("c"), 12, 64, 8);
        assertArrayEquals(Files.readAllBytes(first.metadataFile()), Files.readAllBytes(second.metadataFile()));
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(Files.readAllBytes(first.imageFile(i)), Files.readAllBytes(second.imageFile(i)),
                    first.entries().get(i).fileName());
        }
        assertNotEquals(first.entries(), other.entries());
    }

    @Test
    void captionsFollowTheGrammarAndParseBackToTheDrawnSpec() {
        ShapesDataset shapes = new ShapesDataset(3);
        for (int i = 0; i < 500; i++) {
            ShapeSpec spec = shapes.next().spec();
            String caption = spec.caption();
            assertTrue(GRAMMAR.matcher(caption).matches(), caption);
            assertEquals(spec, ShapeSpec.parseCaption(caption));
        }
    }

    @Test
    void noHeldOutCompositionIsGeneratedAndEveryOtherOneIs() {
        ShapesDataset shapes = new ShapesDataset(11);
        Set<Composition> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            Composition composition = shapes.next().spec().composition();
            assertFalse(ShapesDataset.HELD_OUT.contains(composition), composition.toString());
            seen.add(composition);
        }
        // 8 colours x 7 other backgrounds x 3 shapes, less the held-out ones
        assertEquals(8 * 7 * 3 - ShapesDataset.HELD_OUT.size(), seen.size());
    }

    @Test
    void theHeldOutSetIsTwentyDistinctCompositions() {
        assertEquals(20, new HashSet<>(ShapesDataset.HELD_OUT).size());
        assertTrue(ShapesDataset.HELD_OUT.contains(new Composition(Colour.RED, ShapeKind.CIRCLE, Colour.GREEN)));
        assertTrue(ShapesDataset.HELD_OUT.contains(new Composition(Colour.YELLOW, ShapeKind.SQUARE, Colour.BLACK)));
    }

    @Test
    void writesAnImagefolderWithOneMetadataLinePerImage(@TempDir Path dir) throws IOException {
        Dataset dataset = ShapesDataset.write(dir, 5, 32, 1);
        List<String> lines = Files.readAllLines(dir.resolve("metadata.jsonl"));
        assertEquals(5, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        List<String> fields = new ArrayList<>();
        first.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("file_name", "text"), fields);
        assertEquals("images/00000.png", first.get("file_name").asText());
        assertEquals(dataset.entries().get(0).caption(), first.get("text").asText());
        assertTrue(Files.isRegularFile(dir.resolve("images/00004.png")));
        assertFalse(Files.exists(dir.resolve("metadata.jsonl.partial")));

        Dataset read = new DatasetValidator(32, caption -> caption.split(" ").length + 2, 77).validate(dir);
        assertEquals(dataset.entries(), read.entries());
    }
}
