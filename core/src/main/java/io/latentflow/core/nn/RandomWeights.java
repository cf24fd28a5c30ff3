package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stand-in weights for a model known only by its config (for benchmarks of full-size architectures without their
 * checkpoints): normalization scales 1, biases 0, other tensors N(0, 1/fan_in) so activations keep unit scale.
 */
public final class RandomWeights {

    private RandomWeights() {
    }

    /** One tensor per key, of the given shape and floating-point type, on {@code manager}. */
    public static Map<String, NDArray> create(Map<String, Shape> shapes, NDManager manager, DataType type) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            String key = e.getKey();
            Shape shape = e.getValue();
            NDArray t;
            if (shape.dimension() == 1 && key.endsWith(".bias")) {
                t = manager.zeros(shape, type);
            } else if (shape.dimension() == 1 && key.contains("norm")) {
                t = manager.ones(shape, type);
            } else {
                long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
                t = manager.randomNormal(0f, (float) (1 / Math.sqrt(fanIn)), shape, DataType.FLOAT32)
                        .toType(type, false);
            }
            t.setName(key);
            out.put(key, t);
        }
        return out;
    }
}
