package io.latentflow.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.model.ModelLoadException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Reads safetensors files (and sharded checkpoints described by a {@code *.safetensors.index.json}) into NDArrays.
 * The file is memory-mapped tensor by tensor, never copied whole into the Java heap; bfloat16 is widened to float32.
 */
public final class SafetensorsReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsReader() {
    }

    /**
     * Reads every tensor of a safetensors file, or of all shards listed by an index file, into the given manager.
     * Names are kept exactly as stored; order follows the file(s).
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try {
            forEach(file, manager, out::put);
        } catch (RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
        return out;
    }

    /**
     * Streams the tensors of a file (or of every shard of an index) one at a time into {@code manager}; the consumer
     * owns each array (it may convert, re-attach or close it), so at most one tensor is staged at a time.
     */
    public static void forEach(Path file, NDManager manager, BiConsumer<String, NDArray> consumer) {
        if (!file.getFileName().toString().endsWith(".index.json")) {
            forEachSingle(file, manager, consumer);
            return;
        }
        Map<String, Path> weightMap = shards(file);
        Set<String> seen = new LinkedHashSet<>();
        for (Path shard : new LinkedHashSet<>(weightMap.values())) {
            forEachSingle(shard, manager, (name, array) -> {
                seen.add(name);
                consumer.accept(name, array);
            });
        }
        for (Map.Entry<String, Path> e : weightMap.entrySet()) {
            if (!seen.contains(e.getKey())) {
                throw new ModelLoadException(file + ": tensor '" + e.getKey() + "' is listed for shard "
                        + e.getValue().getFileName() + " but the shard does not contain it");
            }
        }
    }

    private static void forEachSingle(Path file, NDManager manager, BiConsumer<String, NDArray> consumer) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(file + ": safetensors file not found");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader header = SafetensorsHeader.read(file, channel);
            for (SafetensorsEntry entry : header.entries().values()) {
                consumer.accept(entry.name(), load(channel, header.dataStart(), entry, manager));
            }
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    /** Reads only the header(s): tensor entries by name, following an index file to its shards. */
    public static Map<String, SafetensorsEntry> entries(Path file) {
        if (!file.getFileName().toString().endsWith(".index.json")) {
            return SafetensorsHeader.read(file).entries();
        }
        Map<String, SafetensorsEntry> all = new LinkedHashMap<>();
        for (Path shard : shards(file).values()) {
            all.putAll(SafetensorsHeader.read(shard).entries());
        }
        return all;
    }

    private static NDArray load(FileChannel channel, long dataStart, SafetensorsEntry entry, NDManager manager)
            throws IOException {
        if (entry.byteLength() == 0) {
            return manager.create(entry.shape(), entry.dtype().loadedAs());
        }
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + entry.begin(),
                entry.byteLength());
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer source = entry.dtype() == SafetensorsDtype.BF16 ? bfloat16ToFloat32(mapped) : mapped;
        // The array made from a direct buffer may alias it; the copy owns its memory, independent of the mapping.
        try (NDArray view = manager.create(source, entry.shape(), entry.dtype().loadedAs())) {
            NDArray owned = view.duplicate();
            owned.setName(entry.name());
            return owned;
        }
    }

    /** bfloat16 is the upper half of a float32: shifting the 16 bits left by 16 gives the exact float32 value. */
    static ByteBuffer bfloat16ToFloat32(ByteBuffer bf16) {
        int count = bf16.remaining() / 2;
        ByteBuffer f32 = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer src = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            f32.putInt(i * 4, (src.getShort(src.position() + i * 2) & 0xFFFF) << 16);
        }
        return f32;
    }

    /** The index file's weight_map: tensor name to the shard file holding it. */
    static Map<String, Path> shards(Path indexFile) {
        JsonNode root;
        try {
            root = JSON.readTree(indexFile.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(indexFile + ": cannot read safetensors index: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new ModelLoadException(indexFile + ": safetensors index has no weight_map object");
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, Path> out = new LinkedHashMap<>();
        weightMap.fields().forEachRemaining(e -> {
            Path shard = dir.resolve(e.getValue().asText()).normalize();
            if (!shard.startsWith(dir)) {
                throw new ModelLoadException(indexFile + ": shard " + e.getValue().asText() + " lies outside " + dir);
            }
            if (!Files.isRegularFile(shard)) {
                throw new ModelLoadException(indexFile + ": shard " + e.getValue().asText() + " of tensor '"
                        + e.getKey() + "' not found");
            }
            out.put(e.getKey(), shard);
        });
        return out;
    }
}
