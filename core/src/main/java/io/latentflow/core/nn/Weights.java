package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A view of a checkpoint's tensors under a key prefix ({@code w.child("down_blocks").child(0).child("resnets")});
 * every lookup is recorded in a shared {@link LoadReport}, so loading can name missing, unexpected and mis-shaped keys.
 */
public final class Weights {

    private final Map<String, NDArray> tensors;
    private final String prefix;
    private final LoadReport report;
    private final NDManager manager;
    private final Map<String, NDArray> constants;
    private final boolean trainable;

    private Weights(Map<String, NDArray> tensors, String prefix, LoadReport report, NDManager manager,
                    Map<String, NDArray> constants, boolean trainable) {
        this.tensors = tensors;
        this.prefix = prefix;
        this.report = report;
        this.manager = manager;
        this.constants = constants;
        this.trainable = trainable;
    }

    /**
     * A root view over a checkpoint's tensors.
     *
     * @param tensors tensors by their checkpoint key, all owned by {@code manager}
     * @param source  the file or folder the tensors came from, used in messages
     * @param manager the manager owning the tensors (and the constants derived from them)
     */
    public static Weights of(Map<String, NDArray> tensors, String source, NDManager manager) {
        return new Weights(tensors, "", new LoadReport(source, tensors.keySet()), manager, new ConcurrentHashMap<>(),
                false);
    }

    /**
     * A root view over trainable parameters: the model built over it derives its forms (fused projections, reshaped
     * affines) from the parameters inside the autograd graph and never frees them, so gradients reach the
     * parameters under their checkpoint keys.
     */
    public static Weights trainable(Map<String, NDArray> tensors, String source, NDManager manager) {
        return new Weights(tensors, "", new LoadReport(source, tensors.keySet()), manager, new ConcurrentHashMap<>(),
                true);
    }

    /** True for {@link #trainable} views: loaders keep the checkpoint tensors instead of freeing them. */
    public boolean isTrainable() {
        return trainable;
    }

    /** The view of the keys under {@code prefix + name + "."}. */
    public Weights child(String name) {
        return new Weights(tensors, prefix + name + ".", report, manager, constants, trainable);
    }

    /** The view of the keys under {@code prefix + index + "."} (module lists such as {@code resnets.0}). */
    public Weights child(int index) {
        return child(Integer.toString(index));
    }

    /** The full checkpoint key of a name in this view. */
    public String key(String name) {
        return prefix + name;
    }

    /** True when the checkpoint holds the key. */
    public boolean has(String name) {
        return tensors.containsKey(prefix + name);
    }

    /**
     * The tensor stored under the name, recorded as used; a missing key or a shape different from {@code shape}
     * is recorded in the report (and null returned for a missing key).
     */
    public NDArray get(String name, long... shape) {
        String key = prefix + name;
        NDArray t = tensors.get(key);
        if (t == null) {
            report.missing(key, new Shape(shape));
            return null;
        }
        report.used(key);
        if (!t.getShape().equals(new Shape(shape))) {
            report.wrongShape(key, t.getShape(), new Shape(shape));
        }
        return t;
    }

    /** Like {@link #get} but an absent key is not a problem: returns null. */
    public NDArray optional(String name, long... shape) {
        return has(name) ? get(name, shape) : null;
    }

    /** The shared report of this checkpoint's lookups. */
    public LoadReport report() {
        return report;
    }

    /** The manager owning the tensors. */
    public NDManager manager() {
        return manager;
    }

    /**
     * A constant vector of {@code length} copies of {@code value}, created once per checkpoint, dtype and length
     * (used as the unit affine of normalizations).
     */
    public NDArray constant(float value, long length, DataType dataType) {
        String id = value + "/" + length + "/" + dataType;
        return constants.computeIfAbsent(id, k -> manager.full(new Shape(length), value, dataType));
    }
}
