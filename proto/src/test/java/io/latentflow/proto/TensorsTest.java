package io.latentflow.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TensorsTest {

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    @Test
    void float32IsWrittenRowMajorLittleEndian() {
        NDArray array = manager.create(new float[] {1f, -2f, 0.5f, 3f, 4f, 5f}, new Shape(2, 3));

        Tensor tensor = Tensors.toProto(array);

        assertEquals(List.of(2L, 3L), tensor.getShapeList());
        assertEquals(DType.FLOAT32, tensor.getDtype());
        assertEquals(24, tensor.getData().size());
        // 1.0f = 0x3f800000, -2.0f = 0xc0000000
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0},
                tensor.getData().substring(0, 8).toByteArray());
    }

    /** A CFG half split off a decoded prediction stays valid after the prediction is closed and collected. */
    @Test
    void aViewOfADecodedArrayOutlivesItAndTheGarbageCollector() {
        float[] values = new float[64 * 1024];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 97;
        }
        Tensor tensor = Tensors.toProto(manager.create(values, new Shape(2, values.length / 2)));
        NDList halves;
        try (NDManager scope = manager.newSubManager()) {
            NDArray decoded = Tensors.toNDArray(tensor, scope);
            halves = decoded.split(2);
            halves.attach(manager);
        }
        for (int round = 0; round < 5; round++) {
            System.gc();
            ByteBuffer.allocateDirect(values.length * 4).asFloatBuffer().put(new float[values.length]);
        }

        assertArrayEquals(Arrays.copyOf(values, values.length / 2), halves.get(0).toFloatArray());
    }

    @Test
    void everyWireTypeRoundTrips() {
        List<NDArray> arrays = List.of(
                manager.create(new float[] {1.25f, -7f, 3e-8f, 65504f}, new Shape(2, 2)),
                manager.create(new float[] {1.5f, -0.25f, 2048f}).toType(DataType.FLOAT16, false),
                manager.create(new long[] {Long.MIN_VALUE, -1, 0, 999, Long.MAX_VALUE}, new Shape(5, 1)),
                manager.create(new int[] {Integer.MIN_VALUE, 7, -3}),
                manager.create(new byte[] {0, 127, (byte) 255}).toType(DataType.UINT8, false),
                manager.create(new float[] {42f}, new Shape()));
        for (NDArray original : arrays) {
            NDArray decoded = Tensors.toNDArray(Tensors.toProto(original), manager);

            assertEquals(original.getDataType(), decoded.getDataType());
            assertEquals(original.getShape(), decoded.getShape());
            assertArrayEquals(original.toByteArray(), decoded.toByteArray(), original.getDataType().toString());
        }
    }

    @Test
    void float64IsSentAsFloat32() {
        NDArray array = manager.create(new double[] {0.1, 2.5});

        Tensor tensor = Tensors.toProto(array);

        assertEquals(DType.FLOAT32, tensor.getDtype());
        assertArrayEquals(new float[] {0.1f, 2.5f}, Tensors.toNDArray(tensor, manager).toFloatArray());
    }

    @Test
    void bfloat16IsWidenedToFloat32() {
        // bfloat16 bits: 1.0 = 0x3f80, -2.0 = 0xc000, 0.15625 = 0x3e20
        Tensor tensor = Tensor.newBuilder()
                .addShape(3)
                .setDtype(DType.BFLOAT16)
                .setData(ByteString.copyFrom(new byte[] {(byte) 0x80, 0x3f, 0, (byte) 0xc0, 0x20, 0x3e}))
                .build();

        NDArray array = Tensors.toNDArray(tensor, manager);

        assertEquals(DataType.FLOAT32, array.getDataType());
        assertArrayEquals(new float[] {1f, -2f, 0.15625f}, array.toFloatArray());
    }

    @Test
    void dataOfTheWrongLengthIsRejected() {
        Tensor tensor = Tensor.newBuilder()
                .addShape(2).addShape(2)
                .setDtype(DType.FLOAT32)
                .setData(ByteString.copyFrom(new byte[12]))
                .build();

        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> Tensors.toNDArray(tensor, manager));
        assertTrue(error.getMessage().contains("needs 16 bytes"), error.getMessage());
    }

    @Test
    void unspecifiedDtypeIsRejected() {
        Tensor tensor = Tensor.newBuilder().addShape(1).setData(ByteString.copyFrom(new byte[4])).build();

        assertThrows(IllegalArgumentException.class, () -> Tensors.toNDArray(tensor, manager));
    }

    @Test
    void contentKeyDependsOnDtypeShapeAndData() {
        Tensor tensor = Tensors.toProto(manager.create(new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2)));
        Tensor reshaped = tensor.toBuilder().clearShape().addShape(4).build();
        Tensor retyped = tensor.toBuilder().setDtype(DType.INT32).build();
        Tensor changed = Tensors.toProto(manager.create(new float[] {1f, 2f, 3f, 5f}, new Shape(2, 2)));

        String key = Tensors.contentKey(tensor);

        assertEquals(64, key.length());
        assertTrue(key.matches("[0-9a-f]+"));
        assertEquals(key, Tensors.contentKey(Tensors.toProto(Tensors.toNDArray(tensor, manager))));
        assertNotEquals(key, Tensors.contentKey(reshaped));
        assertNotEquals(key, Tensors.contentKey(retyped));
        assertNotEquals(key, Tensors.contentKey(changed));
    }

    @Test
    void contentKeyHashesHeaderThenData() throws Exception {
        Tensor tensor = Tensor.newBuilder()
                .addShape(1)
                .setDtype(DType.UINT8)
                .setData(ByteString.copyFrom(new byte[] {9}))
                .build();
        byte[] message = {6, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9};

        String expected = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(message));

        assertEquals(expected, Tensors.contentKey(tensor));
    }
}
