package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The trainable tensors of one model under their checkpoint keys, in a fixed order (the order of the checkpoint,
 * like PyTorch's {@code named_parameters()}), each a float32 leaf that collects its gradient. The model itself is
 * rebuilt over them in every step ({@link TrainingStep}), so they are the only state a run keeps.
 */
public final class TrainableParameters implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> tensors;
    private final Map<String, NDArray> parameters;

    private TrainableParameters(NDManager manager, Map<String, NDArray> tensors, Map<String, NDArray> parameters) {
        this.manager = manager;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.parameters = Collections.unmodifiableMap(parameters);
    }

    /**
     * Copies {@code source} (key order kept) into a sub-manager of {@code parent} as float32 leaves that require
     * gradients; keys accepted by {@code isBuffer} (and integer tensors) are copied as plain tensors that the model
     * reads but the optimizer never sees (BatchNorm's running statistics).
     */
    public static TrainableParameters copyOf(Map<String, NDArray> source, NDManager parent,
                                             Predicate<String> isBuffer) {
        NDManager own = parent.newSubManager();
        Map<String, NDArray> all = new LinkedHashMap<>();
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : source.entrySet()) {
            NDArray t = e.getValue();
            NDArray copy = t.getDataType().isFloating() ? t.toType(DataType.FLOAT32, true) : t.duplicate();
            copy.attach(own);
            copy.setName(e.getKey());
            if (copy.getDataType().isFloating() && !isBuffer.test(e.getKey())) {
                copy.setRequiresGradient(true);
                trainable.put(e.getKey(), copy);
            }
            all.put(e.getKey(), copy);
        }
        return new TrainableParameters(own, all, trainable);
    }

    /** {@link #copyOf(Map, NDManager, Predicate)} where every floating-point tensor is trained. */
    public static TrainableParameters copyOf(Map<String, NDArray> source, NDManager parent) {
        return copyOf(source, parent, key -> false);
    }

    /** Every tensor (parameters and buffers) by checkpoint key, in checkpoint order: what the model is built over. */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    /** The trained tensors by checkpoint key, in checkpoint order: what the optimizer, clipping and EMA see. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** The parameter under {@code key}; fails naming the key when there is none. */
    public NDArray get(String key) {
        NDArray t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no trainable parameter '" + key + "'");
        }
        return t;
    }

    /** The trained keys in order. */
    public List<String> keys() {
        return List.copyOf(parameters.keySet());
    }

    /** The manager owning the parameters (and the optimizer state kept beside them). */
    public NDManager manager() {
        return manager;
    }

    /**
     * The gradient accumulated in {@code key} since the last {@link #zeroGradients}, as a new array in
     * {@code into}; zeros when no backward pass reached it.
     */
    public NDArray gradient(String key, NDManager into) {
        NDArray p = get(key);
        NDArray g = p.getGradient();
        NDArray copy = g.duplicate();
        copy.attach(into);
        g.close();
        return copy;
    }

    /** Resets every gradient to zero (optimizer.zero_grad). */
    public void zeroGradients() {
        for (NDArray p : parameters.values()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** Number of scalar parameters. */
    public long count() {
        return parameters.values().stream().mapToLong(NDArray::size).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
