package io.latentflow.core.dataset;

import io.latentflow.core.image.PngFiles;
import io.latentflow.core.text.ClipTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each way a dataset folder can be unusable is reported with the file or line that causes it. */
class DatasetValidatorTest {

    /** One token per word plus start and end, as CLIP counts the plain words of these captions. */
    static final ToIntFunction<String> WORDS_PLUS_TWO = text -> text.split(" ").length + 2;
    static final DatasetValidator VALIDATOR = new DatasetValidator(64, WORDS_PLUS_TWO, 77);

    static Path validDataset(Path dir) {
        ShapesDataset.write(dir, 4, 64, 5);
        return dir;
    }

    static void replaceLine(Path dir, int lineNumber, String line) throws IOException {
        Path metadata = dir.resolve("metadata.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(metadata));
        lines.set(lineNumber - 1, line);
        Files.write(metadata, lines);
    }

    static String problemOf(Path dir) {
        return assertThrows(InvalidDatasetException.class, () -> VALIDATOR.validate(dir)).problem();
    }

    @Test
    void aValidDatasetIsReadInMetadataOrder(@TempDir Path dir) throws IOException {
        validDataset(dir);
        Files.writeString(dir.resolve("metadata.jsonl"), "\n", StandardOpenOption.APPEND);
        Dataset dataset = VALIDATOR.validate(dir);
        assertEquals(4, dataset.size());
        for (int i = 0; i < 4; i++) {
            Dataset.Entry entry = dataset.entries().get(i);
            assertEquals(String.format("images/%05d.png", i), entry.fileName());
            ShapeSpec.parseCaption(entry.caption());
        }
    }

    @Test
    void theMessageNamesTheDatasetThenTheProblem(@TempDir Path dir) {
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class, () -> VALIDATOR.validate(dir));
        assertEquals("dataset '" + dir + "': metadata.jsonl not found", e.getMessage());
    }

    @Test
    void aMissingFolderIsReported(@TempDir Path dir) {
        assertEquals("folder not found", problemOf(dir.resolve("nowhere")));
    }

    @Test
    void anEmptyMetadataFileIsReported(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("metadata.jsonl"), "\n  \n");
        assertEquals("metadata.jsonl is empty", problemOf(dir));
    }

    @Test
    void aLineThatIsNotJsonIsReportedWithItsNumber(@TempDir Path dir) throws IOException {
        replaceLine(validDataset(dir), 3, "{\"file_name\": \"images/00002.png\", \"text\": ");
        assertTrue(problemOf(dir).startsWith("metadata.jsonl line 3: not valid JSON ("), problemOf(dir));
        replaceLine(dir, 3, "{\"file_name\": \"images/00002.png\", \"text\": \"a\"} trailing");
        assertTrue(problemOf(dir).startsWith("metadata.jsonl line 3: not valid JSON ("), problemOf(dir));
    }

    @Test
    void aLineThatIsNotAnObjectIsReported(@TempDir Path dir) throws IOException {
        replaceLine(validDataset(dir), 3, "[\"images/00002.png\", \"a caption\"]");
        assertEquals("metadata.jsonl line 3: not a JSON object", problemOf(dir));
    }

    @Test
    void missingFieldsAreReported(@TempDir Path dir) throws IOException {
        replaceLine(validDataset(dir), 2, "{\"file_name\": \"images/00001.png\"}");
        assertEquals("metadata.jsonl line 2: missing field text", problemOf(dir));
        replaceLine(dir, 2, "{\"text\": \"a small red square on a blue background\"}");
        assertEquals("metadata.jsonl line 2: missing field file_name", problemOf(dir));
    }

    @Test
    void fieldsOfTheWrongTypeAreReported(@TempDir Path dir) throws IOException {
        replaceLine(validDataset(dir), 2, "{\"file_name\": 1, \"text\": \"a\"}");
        assertEquals("metadata.jsonl line 2: field file_name must be a string", problemOf(dir));
        replaceLine(dir, 2, "{\"file_name\": \"images/00001.png\", \"text\": null}");
        assertEquals("metadata.jsonl line 2: field text must be a string", problemOf(dir));
    }

    @Test
    void fileNamesOutsideTheFolderAreRejected(@TempDir Path dir) throws IOException {
        Path dataset = validDataset(dir.resolve("data"));
        replaceLine(dataset, 1, "{\"file_name\": \"../outside.png\", \"text\": \"a\"}");
        assertEquals("metadata.jsonl line 1: file_name '../outside.png' must be a relative path inside the folder",
                problemOf(dataset));
        replaceLine(dataset, 1, "{\"file_name\": \"" + dataset.resolve("images/00000.png") + "\", \"text\": \"a\"}");
        assertTrue(problemOf(dataset).endsWith("must be a relative path inside the folder"), problemOf(dataset));
    }

    @Test
    void aFileListedTwiceIsReported(@TempDir Path dir) throws IOException {
        replaceLine(validDataset(dir), 3, "{\"file_name\": \"images/./00000.png\", \"text\": \"a\"}");
        assertEquals("metadata.jsonl line 3: images/./00000.png is already listed on line 1", problemOf(dir));
    }

    @Test
    void aMissingImageIsReported(@TempDir Path dir) throws IOException {
        replaceLine(validDataset(dir), 2, "{\"file_name\": \"images/00009.png\", \"text\": \"a\"}");
        assertEquals("images/00009.png: not found (metadata.jsonl line 2)", problemOf(dir));
    }

    @Test
    void aFileThatIsNotAnImageIsReported(@TempDir Path dir) throws IOException {
        Files.writeString(validDataset(dir).resolve("images/00003.png"), "not a png");
        assertEquals("images/00003.png: not a decodable image", problemOf(dir));
        // a PNG cut short: the signature is there, the data is not
        byte[] png = Files.readAllBytes(dir.resolve("images/00000.png"));
        Files.write(dir.resolve("images/00003.png"), Arrays.copyOf(png, 40));
        assertEquals("images/00003.png: not a decodable image", problemOf(dir));
    }

    @Test
    void anImageOfTheWrongSizeIsReported(@TempDir Path dir) {
        PngFiles.write(new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB),
                validDataset(dir).resolve("images/00003.png"));
        assertEquals("images/00003.png: 48x48, expected 64x64", problemOf(dir));
    }

    @Test
    void aCaptionOverTheTokenLimitIsReported(@TempDir Path dir) throws IOException {
        replaceLine(validDataset(dir), 4, "{\"file_name\": \"images/00003.png\", \"text\": \"a"
                + " very".repeat(80) + " red circle\"}");
        assertEquals("metadata.jsonl line 4: text has 85 tokens, more than the text encoder's 77", problemOf(dir));
    }

    @Test
    void theFirstProblemInLineOrderIsTheOneReported(@TempDir Path dir) throws IOException {
        validDataset(dir);
        Files.delete(dir.resolve("images/00003.png"));
        replaceLine(dir, 2, "{\"file_name\": \"images/00001.png\"}");
        assertEquals("metadata.jsonl line 2: missing field text", problemOf(dir));
    }

    @Test
    void clipTokenCountIncludesStartAndEndAndIsNotCappedAtTheMaxLength() {
        Path toy = Path.of(System.getProperty("latentflow.oracle", "../../shared/oracle"))
                .resolve("tokenizer_clip_toy");
        ClipTokenizer tokenizer = ClipTokenizer.load(toy);
        ToIntFunction<String> count = DatasetValidator.clipTokenCount(tokenizer);
        assertEquals(2, count.applyAsInt(""));
        String longCaption = "a red circle, ".repeat(40);
        assertEquals(tokenizer.tokenIds(longCaption).length + 2, count.applyAsInt(longCaption));
        assertTrue(count.applyAsInt(longCaption) > tokenizer.maxLength());
    }
}
