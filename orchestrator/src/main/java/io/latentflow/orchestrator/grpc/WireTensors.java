package io.latentflow.orchestrator.grpc;

import com.google.protobuf.ByteString;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;

/** Batch-axis slicing and repetition of wire tensors, done on their bytes (no tensor engine needed). */
public final class WireTensors {

    private WireTensors() {
    }

    /** Item {@code index} of the batch axis, keeping that axis: (B, ...) -> (1, ...). */
    public static Tensor item(Tensor tensor, int index) {
        long batch = tensor.getShape(0);
        if (index < 0 || index >= batch) {
            throw new IllegalArgumentException("item " + index + " of a batch of " + batch);
        }
        int itemBytes = Math.toIntExact(tensor.getData().size() / batch);
        ByteString data = tensor.getData().substring(index * itemBytes, (index + 1) * itemBytes);
        return tensor.toBuilder().setShape(0, 1).setData(data).build();
    }

    /** The tensor repeated {@code times} times along the batch axis: (B, ...) -> (B * times, ...). */
    public static Tensor repeat(Tensor tensor, int times) {
        if (times == 1) {
            return tensor;
        }
        ByteString data = ByteString.EMPTY;
        for (int i = 0; i < times; i++) {
            data = data.concat(tensor.getData());
        }
        return tensor.toBuilder().setShape(0, tensor.getShape(0) * times).setData(data).build();
    }

    /** Checks that the data holds exactly the elements the shape and dtype say. */
    public static Tensor checked(Tensor tensor, String what) {
        long expected = Tensors.elementCount(tensor) * Tensors.elementSize(tensor.getDtype());
        if (tensor.getShapeCount() == 0 || expected != tensor.getData().size()) {
            throw new IllegalStateException(what + " has shape " + tensor.getShapeList() + " of " + tensor.getDtype()
                    + " but " + tensor.getData().size() + " bytes");
        }
        return tensor;
    }
}
