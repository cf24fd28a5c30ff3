package io.latentflow.core.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Stand-in weights for a model known only by its config (for benchmarks of full-size architectures without their
 * checkpoints): normalization scales 1, biases 0, other tensors N(0, 1/fan_in) so activations keep unit scale.
 */
public final class RandomWeights {

    private RandomWeights() {
    }

    /**
     * A model whose weights are all stand-ins: {@code build} runs once over no tensors to learn every key and shape
     * the model looks up, then over random tensors of those shapes in a fresh manager on {@code device}, which the
     * returned model owns.
     *
     * @param source the config file the architecture came from, used in messages
     * @param build  the model's constructor over (manager, weights)
     */
    public static <T> T model(String source, Device device, DataType type, BiFunction<NDManager, Weights, T> build) {
        Map<String, Shape> shapes = shapes(source, device, build);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Weights w = Weights.of(create(shapes, manager, type), source + " (random weights)", manager);
            T model = build.apply(manager, w);
            w.report().requireComplete();
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Every key and shape a model's constructor looks up, learnt by running it over no tensors. */
    public static Map<String, Shape> shapes(String source, Device device, BiFunction<NDManager, Weights, ?> build) {
        try (NDManager probe = NDManager.newBaseManager(device)) {
            Weights empty = Weights.of(Map.of(), source, probe);
            build.apply(probe, empty);
            return empty.report().missingShapes();
        }
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
