package io.latentflow.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelLoadException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsReaderTest {

    @TempDir
    Path dir;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Map<String, NDArray> sampleTensors() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("f32", manager.create(new float[] {1.5f, -2.25f, 3e-3f, 1e6f, 0f, -0f}, new Shape(2, 3)));
        t.put("f16", manager.create(new float[] {0.5f, -1f, 65504f, 1e-3f}, new Shape(4)).toType(DataType.FLOAT16, false));
        t.put("i64", manager.create(new long[] {1L << 40, -7, 49406}, new Shape(3, 1)));
        t.put("i32", manager.create(new int[] {-3, 0, Integer.MAX_VALUE}));
        t.put("u8", manager.create(new byte[] {0, 17, (byte) 255}).toType(DataType.UINT8, false));
        t.put("scalar", manager.create(2.5f));
        return t;
    }

    @Test
    void roundTripKeepsNamesTypesShapesAndValues() {
        Map<String, NDArray> written = sampleTensors();
        Path file = dir.resolve("t.safetensors");
        SafetensorsWriter.write(file, written);
        Map<String, NDArray> read = SafetensorsReader.read(file, manager);
        assertEquals(written.keySet().stream().toList(), read.keySet().stream().toList());
        for (String name : written.keySet()) {
            NDArray a = written.get(name);
            NDArray b = read.get(name);
            assertEquals(a.getDataType(), b.getDataType(), name);
            assertEquals(a.getShape(), b.getShape(), name);
            assertArrayEquals(a.toByteArray(), b.toByteArray(), name);
        }
        assertEquals(SafetensorsDtype.F16, SafetensorsReader.entries(file).get("f16").dtype());
    }

    @Test
    void bfloat16IsWrittenRoundedAndReadAsFloat32() {
        float[] values = {1f, -0.5f, 3.140625f, 1.00390625f, 1.005859375f, 65536f};
        // 1.00390625 is a tie between 1.0 and 1.0078125 (rounds to even 1.0); 1.005859375 rounds up to 1.0078125
        float[] expected = {1f, -0.5f, 3.140625f, 1f, 1.0078125f, 65536f};
        Path file = dir.resolve("bf16.safetensors");
        SafetensorsWriter.write(file, Map.of("w", manager.create(values, new Shape(2, 3))), true);
        assertEquals(SafetensorsDtype.BF16, SafetensorsReader.entries(file).get("w").dtype());
        assertEquals(8 + headerLength(file) + 12, fileSize(file));
        NDArray w = SafetensorsReader.read(file, manager).get("w");
        assertEquals(DataType.FLOAT32, w.getDataType());
        assertEquals(new Shape(2, 3), w.getShape());
        assertArrayEquals(expected, w.toFloatArray());
    }

    @Test
    void readsShardedCheckpointThroughIndex() throws IOException {
        SafetensorsWriter.write(dir.resolve("m-00001-of-00002.safetensors"),
                Map.of("a.weight", manager.create(new float[] {1, 2})));
        SafetensorsWriter.write(dir.resolve("m-00002-of-00002.safetensors"),
                Map.of("b.weight", manager.create(new float[] {3, 4, 5})));
        Path index = dir.resolve("m.safetensors.index.json");
        Files.writeString(index, "{\"metadata\":{\"total_size\":20},\"weight_map\":{"
                + "\"a.weight\":\"m-00001-of-00002.safetensors\",\"b.weight\":\"m-00002-of-00002.safetensors\"}}");
        Map<String, NDArray> read = SafetensorsReader.read(index, manager);
        assertArrayEquals(new float[] {1, 2}, read.get("a.weight").toFloatArray());
        assertArrayEquals(new float[] {3, 4, 5}, read.get("b.weight").toFloatArray());
        assertEquals(new Shape(3), SafetensorsReader.entries(index).get("b.weight").shape());
    }

    @Test
    void indexNamingMissingShardFails() throws IOException {
        Path index = dir.resolve("m.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\":{\"a.weight\":\"absent.safetensors\"}}");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(index, manager));
        assertTrue(e.getMessage().contains("absent.safetensors") && e.getMessage().contains("a.weight"), e.getMessage());
    }

    @Test
    void truncatedFileIsRefusedNamingTheTensor() throws IOException {
        Path file = dir.resolve("t.safetensors");
        SafetensorsWriter.write(file, sampleTensors());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(file, manager));
        assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("out of range"), e.getMessage());
        Files.write(file, Arrays.copyOf(bytes, 20));
        e = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(file, manager));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Files.write(file, Arrays.copyOf(bytes, 5));
        e = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(file, manager));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void badHeadersAreRefused() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{not json", 0);
        assertMessage(file, "not valid JSON");
        writeRaw(file, "{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        assertMessage(file, "unsupported dtype Q7");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
        assertMessage(file, "needs 8");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 4);
        assertMessage(file, "out of range");
        Files.write(file, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, (byte) 0x80, 1});
        assertMessage(file, "bad safetensors header length");
    }

    @Test
    void readsOracleCheckpoint() {
        Path oracle = Path.of(System.getProperty("latentflow.oracle"), "vae_tiny", "model.safetensors");
        Map<String, NDArray> read = SafetensorsReader.read(oracle, manager);
        assertEquals(new Shape(16, 3, 3, 3), read.get("encoder.conv_in.weight").getShape());
        assertEquals(DataType.FLOAT32, read.get("encoder.conv_in.weight").getDataType());
    }

    private void assertMessage(Path file, String part) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(file, manager));
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains(file.toString()), e.getMessage());
    }

    private static void writeRaw(Path file, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Files.write(file, b.array());
    }

    private static long headerLength(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            return ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
