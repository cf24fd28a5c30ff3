package io.latentflow.orchestrator.grpc;

import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;

/** Checks of wire tensors a service returned, done on their bytes (no tensor engine needed). */
public final class WireTensors {

    private WireTensors() {
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
