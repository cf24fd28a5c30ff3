package io.latentflow.core.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.image.PngFiles;
import io.latentflow.core.text.ClipTokenizer;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import static io.latentflow.core.dataset.Dataset.FILE_NAME_FIELD;
import static io.latentflow.core.dataset.Dataset.METADATA_FILE;
import static io.latentflow.core.dataset.Dataset.TEXT_FIELD;

/**
 * Checks a local dataset folder before any training step and reads it. It stops at the first problem, in metadata
 * line order (for each line: JSON, fields, file name, caption length, then its image: present, decodable, size), and
 * throws an {@link InvalidDatasetException} naming the line or file, e.g.
 * {@code dataset 'data/shapes': metadata.jsonl line 3: missing field text}. Blank lines are skipped.
 */
public final class DatasetValidator {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final int resolutionPx;
    private final ToIntFunction<String> tokenCounter;
    private final int maxTokens;

    /**
     * @param resolutionPx side every image must have (training images are square)
     * @param tokenCounter tokens of a caption as the text encoder sees it, start and end tokens included and not
     *                     truncated (see {@link #clipTokenCount})
     * @param maxTokens    the text encoder's max_position_embeddings (77 for CLIP)
     */
    public DatasetValidator(int resolutionPx, ToIntFunction<String> tokenCounter, int maxTokens) {
        if (resolutionPx < 1 || maxTokens < 1) {
            throw new IllegalArgumentException("resolutionPx and maxTokens must be >= 1, were " + resolutionPx
                    + " and " + maxTokens);
        }
        this.resolutionPx = resolutionPx;
        this.tokenCounter = tokenCounter;
        this.maxTokens = maxTokens;
    }

    /**
     * Token counter for a CLIP tokenizer: text tokens plus start and end tokens. Not {@link ClipTokenizer#tokenCount},
     * which stops at the tokenizer's max length and so never reports a caption as too long.
     */
    public static ToIntFunction<String> clipTokenCount(ClipTokenizer tokenizer) {
        return text -> tokenizer.tokenIds(text).length + 2;
    }

    /** The dataset in {@code dir}, entries in metadata order; InvalidDatasetException at the first problem. */
    public Dataset validate(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidDatasetException(dir, "folder not found");
        }
        List<String> lines = readMetadata(dir);
        Map<String, Integer> lineOfFile = new HashMap<>();
        List<Dataset.Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            int lineNumber = i + 1;
            Dataset.Entry entry = parseLine(dir, lines.get(i), lineNumber);
            Path file = insideFolder(dir, entry.fileName(), lineNumber);
            Integer earlier = lineOfFile.putIfAbsent(file.toString(), lineNumber);
            if (earlier != null) {
                throw atLine(dir, lineNumber, entry.fileName() + " is already listed on line " + earlier);
            }
            int tokens = tokenCounter.applyAsInt(entry.caption());
            if (tokens > maxTokens) {
                throw atLine(dir, lineNumber, "text has " + tokens + " tokens, more than the text encoder's "
                        + maxTokens);
            }
            checkImage(dir, file, entry.fileName(), lineNumber);
            entries.add(entry);
        }
        if (entries.isEmpty()) {
            throw new InvalidDatasetException(dir, METADATA_FILE + " is empty");
        }
        return new Dataset(dir, entries);
    }

    private static List<String> readMetadata(Path dir) {
        Path metadata = dir.resolve(METADATA_FILE);
        if (!Files.isRegularFile(metadata)) {
            throw new InvalidDatasetException(dir, METADATA_FILE + " not found");
        }
        try {
            return Files.readAllLines(metadata, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new InvalidDatasetException(dir, METADATA_FILE + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new InvalidDatasetException(dir, "cannot read " + METADATA_FILE + ": " + e.getMessage(), e);
        }
    }

    private static Dataset.Entry parseLine(Path dir, String line, int lineNumber) {
        JsonNode object;
        try {
            object = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw atLine(dir, lineNumber, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (!object.isObject()) {
            throw atLine(dir, lineNumber, "not a JSON object");
        }
        return new Dataset.Entry(stringField(dir, object, FILE_NAME_FIELD, lineNumber),
                stringField(dir, object, TEXT_FIELD, lineNumber));
    }

    private static String stringField(Path dir, JsonNode object, String field, int lineNumber) {
        JsonNode value = object.get(field);
        if (value == null) {
            throw atLine(dir, lineNumber, "missing field " + field);
        }
        if (!value.isTextual()) {
            throw atLine(dir, lineNumber, "field " + field + " must be a string");
        }
        return value.asText();
    }

    /** The entry's file, normalised; file names must stay inside the folder (no absolute paths, no escaping ..). */
    private static Path insideFolder(Path dir, String fileName, int lineNumber) {
        Path relative;
        try {
            relative = Path.of(fileName).normalize();
        } catch (InvalidPathException e) {
            throw atLine(dir, lineNumber, "file_name '" + fileName + "' is not a valid path");
        }
        if (fileName.isEmpty() || relative.isAbsolute() || relative.startsWith("..")) {
            throw atLine(dir, lineNumber, "file_name '" + fileName + "' must be a relative path inside the folder");
        }
        return dir.resolve(relative);
    }

    private void checkImage(Path dir, Path file, String fileName, int lineNumber) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidDatasetException(dir, fileName + ": not found (" + METADATA_FILE + " line " + lineNumber
                    + ")");
        }
        BufferedImage image;
        try {
            image = PngFiles.read(file);
        } catch (RuntimeException e) {
            // image decoders signal corrupt input with assorted runtime exceptions, not only IOException
            throw new InvalidDatasetException(dir, fileName + ": not a decodable image", e);
        }
        if (image.getWidth() != resolutionPx || image.getHeight() != resolutionPx) {
            throw new InvalidDatasetException(dir, fileName + ": " + image.getWidth() + "x" + image.getHeight()
                    + ", expected " + resolutionPx + "x" + resolutionPx);
        }
    }

    private static InvalidDatasetException atLine(Path dir, int lineNumber, String problem) {
        return new InvalidDatasetException(dir, METADATA_FILE + " line " + lineNumber + ": " + problem);
    }
}
