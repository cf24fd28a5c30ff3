package io.latentflow.core.tensor;

import ai.djl.ndarray.types.DataType;

/** Element types of the safetensors format, with their size and the DJL type each is loaded as. */
public enum SafetensorsDtype {
    F64(8, DataType.FLOAT64),
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    /** bfloat16 is widened to float32 on load: DJL's PyTorch engine cannot hold bfloat16 arrays safely. */
    BF16(2, DataType.FLOAT32),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int byteSize;
    private final DataType loadedAs;

    SafetensorsDtype(int byteSize, DataType loadedAs) {
        this.byteSize = byteSize;
        this.loadedAs = loadedAs;
    }

    /** Bytes per element in the file. */
    public int byteSize() {
        return byteSize;
    }

    /** The DJL data type an element of this kind becomes in memory. */
    public DataType loadedAs() {
        return loadedAs;
    }

    /** The file dtype that stores a DJL array of the given type unchanged. */
    public static SafetensorsDtype of(DataType type) {
        switch (type) {
            case FLOAT64: return F64;
            case FLOAT32: return F32;
            case FLOAT16: return F16;
            case INT64: return I64;
            case INT32: return I32;
            case INT8: return I8;
            case UINT8: return U8;
            case BOOLEAN: return BOOL;
            default: throw new IllegalArgumentException("safetensors cannot store DJL data type " + type);
        }
    }

    /** Parses a header dtype name, or returns null when it is not supported. */
    public static SafetensorsDtype parse(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
