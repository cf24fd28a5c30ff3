package io.latentflow.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes NDArrays to a safetensors file (little-endian data, JSON header padded to 8 bytes). */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /** Writes the tensors with their own element types, in map order. */
    public static void write(Path file, Map<String, NDArray> tensors) {
        write(file, tensors, false);
    }

    /**
     * Writes the tensors; with {@code float32AsBfloat16} every float32 array is stored as bfloat16 (round to nearest
     * even), the other types unchanged.
     */
    public static void write(Path file, Map<String, NDArray> tensors, boolean float32AsBfloat16) {
        List<ByteBuffer> parts = encode(tensors, float32AsBfloat16);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (ByteBuffer part : parts) {
                    writeFully(out, part);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write safetensors file " + file, e);
        }
    }

    /** The bytes of a safetensors file of the tensors, with their own element types, in map order. */
    public static byte[] toBytes(Map<String, NDArray> tensors) {
        List<ByteBuffer> parts = encode(tensors, false);
        ByteBuffer all = ByteBuffer.allocate(parts.stream().mapToInt(ByteBuffer::remaining).sum());
        parts.forEach(all::put);
        return all.array();
    }

    /** The header (length and padded JSON) followed by each tensor's data. */
    private static List<ByteBuffer> encode(Map<String, NDArray> tensors, boolean float32AsBfloat16) {
        ObjectNode header = JSON.createObjectNode();
        List<ByteBuffer> payloads = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray array = e.getValue();
            boolean asBf16 = float32AsBfloat16 && array.getDataType() == DataType.FLOAT32;
            SafetensorsDtype dtype = asBf16 ? SafetensorsDtype.BF16 : SafetensorsDtype.of(array.getDataType());
            ByteBuffer data = array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (asBf16) {
                data = float32ToBfloat16(data);
            }
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : array.getShape().getShape()) {
                shape.add(d);
            }
            ArrayNode offsets = entry.putArray("data_offsets");
            offsets.add(offset);
            offset += data.remaining();
            offsets.add(offset);
            payloads.add(data);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        List<ByteBuffer> parts = new ArrayList<>(List.of(head));
        parts.addAll(payloads);
        return parts;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /** Rounds float32 to bfloat16 to nearest, ties to even; NaN stays NaN. */
    static ByteBuffer float32ToBfloat16(ByteBuffer f32) {
        int count = f32.remaining() / 4;
        ByteBuffer out = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            int bits = f32.getInt(f32.position() + i * 4);
            int bf;
            if ((bits & 0x7F800000) == 0x7F800000 && (bits & 0x007FFFFF) != 0) {
                bf = (bits >>> 16) | 0x0040;
            } else {
                bf = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
            }
            out.putShort(i * 2, (short) bf);
        }
        return out;
    }
}
