package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * Initial weights for training from scratch, as PyTorch's layer defaults: weights (and the biases beside them)
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5)), normalization scales 1 and shifts 0,
 * embedding tables N(0, 0.02) as transformers initialises CLIP. Seeded, so a run restarts from the same point.
 */
public final class FreshWeights {

    private FreshWeights() {
    }

    /** One tensor per key and shape, drawn from {@code seed}. */
    public static Map<String, NDArray> of(Map<String, Shape> shapes, long seed, NDManager manager) {
        Random random = new Random(seed);
        Map<String, Long> fanIns = new LinkedHashMap<>();
        shapes.forEach((key, shape) -> {
            if (key.endsWith(".weight") && shape.dimension() > 1) {
                fanIns.put(key.substring(0, key.length() - ".weight".length()), shape.size() / shape.get(0));
            }
        });
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            String key = e.getKey();
            Shape shape = e.getValue();
            float[] values = new float[Math.toIntExact(shape.size())];
            String module = key.substring(0, Math.max(0, key.lastIndexOf('.')));
            if (key.endsWith("_embedding.weight") && shape.dimension() == 2) {
                fill(values, () -> 0.02 * random.nextGaussian());
            } else if (shape.dimension() > 1) {
                double bound = 1 / Math.sqrt(shape.size() / shape.get(0));
                fill(values, () -> (random.nextDouble() * 2 - 1) * bound);
            } else if (key.endsWith(".bias") && fanIns.containsKey(module)) {
                double bound = 1 / Math.sqrt(fanIns.get(module));
                fill(values, () -> (random.nextDouble() * 2 - 1) * bound);
            } else if (key.endsWith(".weight")) {
                fill(values, () -> 1.0);
            }
            NDArray t = manager.create(values, shape);
            t.setName(key);
            out.put(key, t);
        }
        return out;
    }

    private static void fill(float[] values, DoubleSupplier draw) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) draw.getAsDouble();
        }
    }
}
