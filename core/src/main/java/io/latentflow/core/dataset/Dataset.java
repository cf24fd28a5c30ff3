package io.latentflow.core.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;

/**
 * A captioned image folder in the Hugging Face imagefolder layout: the images, and {@code metadata.jsonl} with one
 * {@code {"file_name": ..., "text": ...}} object per line, file_name relative to the folder. Entries keep the
 * metadata's line order. Read one through {@link DatasetValidator}.
 */
public record Dataset(Path dir, List<Entry> entries) {

    public static final String METADATA_FILE = "metadata.jsonl";
    public static final String FILE_NAME_FIELD = "file_name";
    public static final String TEXT_FIELD = "text";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One image and its caption; fileName is relative to the dataset folder, with '/' separators. */
    public record Entry(String fileName, String caption) {
        public Entry {
            Objects.requireNonNull(fileName, "fileName");
            Objects.requireNonNull(caption, "caption");
        }
    }

    public Dataset {
        Objects.requireNonNull(dir, "dir");
        entries = List.copyOf(entries);
    }

    public int size() {
        return entries.size();
    }

    /** The image file of entry {@code index}. */
    public Path imageFile(int index) {
        return dir.resolve(entries.get(index).fileName());
    }

    public Path metadataFile() {
        return dir.resolve(METADATA_FILE);
    }

    /**
     * Writes metadata.jsonl for the entries (the images are the caller's). It goes to a temporary file first and is
     * moved into place, so a reader sees the old metadata or the whole new one.
     */
    public void writeMetadata() {
        StringBuilder lines = new StringBuilder();
        try {
            for (Entry entry : entries) {
                // an ObjectNode keeps insertion order: file_name first, for whoever reads the file
                lines.append(JSON.writeValueAsString(JSON.createObjectNode()
                        .put(FILE_NAME_FIELD, entry.fileName())
                        .put(TEXT_FIELD, entry.caption())))
                        .append('\n');
            }
            Files.createDirectories(dir);
            Path partial = dir.resolve(METADATA_FILE + ".partial");
            Files.writeString(partial, lines, StandardCharsets.UTF_8);
            Files.move(partial, metadataFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + metadataFile(), e);
        }
    }
}
