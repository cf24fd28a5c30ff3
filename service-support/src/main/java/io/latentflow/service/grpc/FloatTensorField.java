package io.latentflow.service.grpc;

import io.latentflow.proto.DType;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import java.util.List;

/** A request field that must hold a floating-point tensor (float32, float16 or bfloat16) with consistent data. */
public final class FloatTensorField {

    private FloatTensorField() {
    }

    /** The tensor's shape once its dtype is floating-point and its data holds exactly the elements the shape says. */
    public static List<Long> shape(String field, Tensor tensor) {
        DType dtype = tensor.getDtype();
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT16 && dtype != DType.BFLOAT16) {
            throw new InvalidFieldException(field, "expected a floating-point tensor, got dtype " + dtype);
        }
        long bytes = Tensors.elementCount(tensor) * Tensors.elementSize(dtype);
        if (tensor.getData().size() != bytes) {
            throw new InvalidFieldException(field, "shape " + tensor.getShapeList() + " of " + dtype + " needs "
                    + bytes + " bytes of data, got " + tensor.getData().size());
        }
        return tensor.getShapeList();
    }
}
