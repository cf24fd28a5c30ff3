package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads reference tensors from ../shared/oracle (system property latentflow.oracle). */
public final class OracleFiles {
    private OracleFiles() {
    }

    /** The oracle root folder. */
    public static Path root() {
        String p = System.getProperty("latentflow.oracle");
        return Path.of(p == null ? "../../shared/oracle" : p);
    }

    /** All tensors of a safetensors file by name, in {@code manager}. */
    public static Map<String, NDArray> tensors(Path file, NDManager manager) throws IOException {
        NDList list = NDList.decode(manager, Files.readAllBytes(file));
        Map<String, NDArray> out = new HashMap<>();
        for (NDArray a : list) {
            out.put(a.getName(), a);
        }
        return out;
    }

    /** max |a - b|. */
    public static double maxAbsDiff(NDArray a, NDArray b) {
        float[] x = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] y = b.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        if (x.length != y.length) {
            throw new AssertionError("sizes differ: " + a.getShape() + " vs " + b.getShape());
        }
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs((double) x[i] - y[i]));
        }
        return m;
    }

    /** max |a|. */
    public static double maxAbs(NDArray a) {
        double m = 0;
        for (float v : a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
