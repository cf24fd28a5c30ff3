package io.latentflow.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.tensor.SafetensorsReader;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/** Reference tensors of one oracle folder ({@code cases.safetensors}, names {@code case<i>.<tensor>}). */
public final class OracleCases {

    private final Map<String, NDArray> tensors;

    private OracleCases(Map<String, NDArray> tensors) {
        this.tensors = tensors;
    }

    /** The oracle folder given by the {@code latentflow.oracle} system property. */
    public static Path dir(String name) {
        String root = System.getProperty("latentflow.oracle");
        if (root == null) {
            throw new IllegalStateException("system property latentflow.oracle is not set");
        }
        return Path.of(root, name);
    }

    /** Reads {@code <oracle>/<name>/cases.safetensors}. */
    public static OracleCases read(String name, NDManager manager) {
        return new OracleCases(SafetensorsReader.read(dir(name).resolve("cases.safetensors"), manager));
    }

    /** Case indices present. */
    public TreeSet<Integer> indices() {
        TreeSet<Integer> out = new TreeSet<>();
        for (String k : tensors.keySet()) {
            out.add(Integer.parseInt(k.substring(4, k.indexOf('.'))));
        }
        return out;
    }

    /** {@code case<i>.<name>}, or null when absent. */
    public NDArray get(int index, String name) {
        return tensors.get("case" + index + "." + name);
    }

    /** Maximum absolute difference of two arrays of the same shape. */
    public static float maxAbsError(NDArray actual, NDArray expected) {
        if (!actual.getShape().equals(expected.getShape())) {
            throw new AssertionError("shape " + actual.getShape() + " differs from expected " + expected.getShape());
        }
        return actual.sub(expected).abs().max().getFloat();
    }
}
