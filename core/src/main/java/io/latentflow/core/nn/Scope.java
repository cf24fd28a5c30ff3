package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.function.Supplier;

/**
 * Runs one block of a forward pass in its own sub-manager so that its intermediates are freed as soon as the block
 * returns (as PyTorch's reference counting would), which keeps memory bounded and lets the allocator reuse buffers.
 */
public final class Scope {

    private Scope() {
    }

    /**
     * Evaluates {@code body} with the (non-null) inputs temporarily owned by a fresh sub-manager of the first input's
     * manager, so every op starting from an input lands there; the result is re-attached to that first manager and
     * everything else is closed. The body must return a new array, not one of the inputs.
     */
    public static NDArray run(Supplier<NDArray> body, NDArray... inputs) {
        NDManager parent = inputs[0].getManager();
        try (NDManager scope = parent.newSubManager()) {
            for (NDArray input : inputs) {
                if (input != null) {
                    input.tempAttach(scope);
                }
            }
            NDArray out = body.get();
            out.attach(parent);
            return out;
        }
    }
}
