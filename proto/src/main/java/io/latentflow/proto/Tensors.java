package io.latentflow.proto;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Converts between DJL arrays and the wire {@link Tensor} (row-major, little-endian elements) and computes the
 * content key under which a tensor is cached.
 *
 * <p>Wire element types: FLOAT32, FLOAT16, INT64, INT32 and UINT8 map one to one onto DJL types; BFLOAT16 tensors are
 * widened to FLOAT32 arrays on the way in (DJL's PyTorch engine cannot hold bfloat16 safely); FLOAT64 arrays are
 * narrowed to FLOAT32 on the way out.
 */
public final class Tensors {

    private Tensors() {
    }

    /** Encodes an array as a wire tensor; the array is left untouched. */
    public static Tensor toProto(NDArray array) {
        DataType type = array.getDataType();
        if (type == DataType.FLOAT64) {
            try (NDArray narrowed = array.toType(DataType.FLOAT32, true)) {
                return toProto(narrowed);
            }
        }
        DType dtype = wireType(type);
        ByteBuffer buffer = array.toByteBuffer(false);
        byte[] data = new byte[buffer.remaining()];
        buffer.get(data);
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN) {
            reverseElements(data, elementSize(dtype));
        }
        Tensor.Builder tensor = Tensor.newBuilder().setDtype(dtype).setData(ByteString.copyFrom(data));
        for (long dim : array.getShape().getShape()) {
            tensor.addShape(dim);
        }
        return tensor.build();
    }

    /** Decodes a wire tensor into a new array attached to {@code manager}; rejects inconsistent tensors. */
    public static NDArray toNDArray(Tensor tensor, NDManager manager) {
        long elements = elementCount(tensor);
        int elementSize = elementSize(tensor.getDtype());
        long expectedBytes = elements * elementSize;
        if (tensor.getData().size() != expectedBytes) {
            throw new IllegalArgumentException("tensor of shape " + tensor.getShapeList() + " and dtype "
                    + tensor.getDtype() + " needs " + expectedBytes + " bytes of data, got " + tensor.getData().size());
        }
        Shape shape = new Shape(tensor.getShapeList().stream().mapToLong(Long::longValue).toArray());
        if (tensor.getDtype() == DType.BFLOAT16) {
            return engineOwned(manager.create(widenBfloat16(tensor.getData()), shape));
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) expectedBytes).order(ByteOrder.nativeOrder());
        byte[] bytes = tensor.getData().toByteArray();
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            reverseElements(bytes, elementSize);
        }
        data.put(bytes).flip();
        return engineOwned(manager.create(data, shape, djlType(tensor.getDtype())));
    }

    /**
     * A copy of {@code wrapped} in memory the engine owns. DJL's PyTorch arrays made from Java data point into a direct
     * buffer that only the array itself keeps reachable: a view of it (a CFG half from {@code split}, a slice) that
     * outlives the array reads freed memory once the collector releases the buffer.
     */
    private static NDArray engineOwned(NDArray wrapped) {
        try (wrapped) {
            return wrapped.duplicate();
        }
    }

    /**
     * The content key of a tensor: lowercase hex SHA-256 over the dtype's enum number (int32), the rank (int32), each
     * dimension (int64), all little-endian, followed by the raw data bytes.
     */
    public static String contentKey(Tensor tensor) {
        MessageDigest digest = sha256();
        ByteBuffer header = ByteBuffer.allocate(8 + 8 * tensor.getShapeCount()).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(tensor.getDtypeValue());
        header.putInt(tensor.getShapeCount());
        for (long dim : tensor.getShapeList()) {
            header.putLong(dim);
        }
        digest.update(header.array());
        for (ByteBuffer chunk : tensor.getData().asReadOnlyByteBufferList()) {
            digest.update(chunk);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Number of elements the tensor's shape holds; rejects negative dimensions. */
    public static long elementCount(Tensor tensor) {
        long count = 1;
        for (long dim : tensor.getShapeList()) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor shape " + tensor.getShapeList() + " has a negative dimension");
            }
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** Bytes per element of a wire dtype. */
    public static int elementSize(DType dtype) {
        return switch (dtype) {
            case FLOAT32, INT32 -> 4;
            case FLOAT16, BFLOAT16 -> 2;
            case INT64 -> 8;
            case UINT8 -> 1;
            default -> throw new IllegalArgumentException("tensor dtype " + dtype + " is not supported");
        };
    }

    private static DType wireType(DataType type) {
        return switch (type) {
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT16 -> DType.FLOAT16;
            case INT64 -> DType.INT64;
            case INT32 -> DType.INT32;
            case UINT8 -> DType.UINT8;
            default -> throw new IllegalArgumentException("arrays of type " + type + " have no wire dtype");
        };
    }

    private static DataType djlType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT16 -> DataType.FLOAT16;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case UINT8 -> DataType.UINT8;
            default -> throw new IllegalArgumentException("tensor dtype " + dtype + " is not supported");
        };
    }

    /** bfloat16 is the upper half of a float32: shift the 16 stored bits into the high half. */
    private static float[] widenBfloat16(ByteString data) {
        ByteBuffer bytes = data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[data.size() / 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = Float.intBitsToFloat((bytes.getShort() & 0xffff) << 16);
        }
        return values;
    }

    private static void reverseElements(byte[] data, int elementSize) {
        for (int start = 0; start < data.length; start += elementSize) {
            for (int i = 0, j = elementSize - 1; i < j; i++, j--) {
                byte swap = data[start + i];
                data[start + i] = data[start + j];
                data[start + j] = swap;
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
