package io.latentflow.core.tensor;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.model.ModelLoadException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of one safetensors file: an 8-byte little-endian header length, a JSON object mapping each
 * tensor name to {dtype, shape, data_offsets}, then the data section the offsets point into.
 */
public final class SafetensorsHeader {

    /** Headers larger than this are refused as corrupt (the format's reference reader uses the same bound). */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final long dataStart;
    private final Map<String, SafetensorsEntry> entries;
    private final Map<String, String> metadata;

    private SafetensorsHeader(Path file, long dataStart, Map<String, SafetensorsEntry> entries,
                              Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Reads and validates the header of a file without touching its data. */
    public static SafetensorsHeader read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, channel);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new ModelLoadException(file + ": truncated safetensors file (" + fileSize
                    + " bytes, shorter than the 8-byte header length)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
            throw new ModelLoadException(file + ": bad safetensors header length " + headerLength);
        }
        if (8 + headerLength > fileSize) {
            throw new ModelLoadException(file + ": truncated safetensors file: header of " + headerLength
                    + " bytes does not fit in " + fileSize + " bytes");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8);
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new ModelLoadException(file + ": bad safetensors header: not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + ": bad safetensors header: not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataLength = fileSize - dataStart;
        Map<String, SafetensorsEntry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode node = field.getValue();
            if ("__metadata__".equals(name)) {
                node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            entries.put(name, parseEntry(file, name, node, dataLength));
        }
        return new SafetensorsHeader(file, dataStart, Collections.unmodifiableMap(entries),
                Collections.unmodifiableMap(metadata));
    }

    private static SafetensorsEntry parseEntry(Path file, String name, JsonNode node, long dataLength) {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject() || !node.has("dtype") || !node.has("shape") || !node.has("data_offsets")) {
            throw new ModelLoadException(where + ": bad safetensors header entry (needs dtype, shape, data_offsets)");
        }
        SafetensorsDtype dtype = SafetensorsDtype.parse(node.get("dtype").asText());
        if (dtype == null) {
            throw new ModelLoadException(where + ": unsupported dtype " + node.get("dtype").asText());
        }
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new ModelLoadException(where + ": bad shape or data_offsets in header");
        }
        long[] dims = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            if (!shapeNode.get(i).canConvertToLong() || shapeNode.get(i).asLong() < 0) {
                throw new ModelLoadException(where + ": bad shape " + shapeNode);
            }
            dims[i] = shapeNode.get(i).asLong();
            elements = Math.multiplyExact(elements, dims[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new ModelLoadException(where + ": bad data_offsets " + offsets);
        }
        if (end > dataLength) {
            throw new ModelLoadException(where + ": data_offsets " + offsets + " out of range: the data section has "
                    + dataLength + " bytes (file truncated?)");
        }
        if (end - begin != elements * dtype.byteSize()) {
            throw new ModelLoadException(where + ": data_offsets " + offsets + " span " + (end - begin)
                    + " bytes but shape " + shapeNode + " of " + dtype + " needs " + elements * dtype.byteSize());
        }
        return new SafetensorsEntry(name, dtype, new Shape(dims), begin, end);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    /** The file this header was read from. */
    public Path file() {
        return file;
    }

    /** Absolute file offset of the data section. */
    public long dataStart() {
        return dataStart;
    }

    /** Tensor entries by name, in header order. */
    public Map<String, SafetensorsEntry> entries() {
        return entries;
    }

    /** The optional string-to-string __metadata__ block. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }
}
