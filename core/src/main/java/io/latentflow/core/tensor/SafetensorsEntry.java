package io.latentflow.core.tensor;

import ai.djl.ndarray.types.Shape;

/**
 * One tensor described by a safetensors header: name, element type, shape, and byte range inside the data section.
 */
public record SafetensorsEntry(String name, SafetensorsDtype dtype, Shape shape, long begin, long end) {

    /** Number of bytes the tensor occupies in the file. */
    public long byteLength() {
        return end - begin;
    }
}
