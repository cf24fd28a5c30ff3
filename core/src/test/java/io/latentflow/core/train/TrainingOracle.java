package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.sampling.OracleFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A training vector folder of ../shared/oracle: its JSON settings, its tensors and the stated tolerances. */
final class TrainingOracle {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingOracle() {
    }

    static Path dir(String name) {
        return OracleFiles.root().resolve(name);
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, NDArray> tensors(Path file, NDManager manager) {
        try {
            return OracleFiles.tensors(file, manager);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NDArray require(Map<String, NDArray> tensors, String key) {
        NDArray t = tensors.get(key);
        assertTrue(t != null, "oracle tensor " + key + " missing");
        return t;
    }

    /** Losses: |a - e| <= 1e-5 * max(|e|, 1e-6). */
    static void assertLoss(String what, NDArray expected, NDArray actual) {
        float e = expected.toType(DataType.FLOAT32, false).toFloatArray()[0];
        float a = actual.toType(DataType.FLOAT32, false).toFloatArray()[0];
        assertLoss(what, e, a);
    }

    static void assertLoss(String what, double expected, double actual) {
        double tolerance = 1e-5 * Math.max(Math.abs(expected), 1e-6);
        assertTrue(Math.abs(actual - expected) <= tolerance,
                what + ": expected " + expected + ", got " + actual + " (relative tolerance 1e-5)");
    }

    /** Elementwise |a - e| <= tolerance. */
    static void assertClose(String what, NDArray expected, NDArray actual, double tolerance) {
        assertEquals(expected.getShape().size(), actual.getShape().size(), what + ": size");
        double err = OracleFiles.maxAbsDiff(expected, actual);
        assertTrue(err <= tolerance, what + ": max abs error " + err + " > " + tolerance);
    }

    /** Below this first-step gradient (100 times Adam's eps) the direction of an AdamW step is rounding noise. */
    static final double DETERMINED_GRADIENT = 1e-6;

    /**
     * Parameters after {@code steps} AdamW steps of learning rate {@code lr}: |a - e| <= tolerance wherever the
     * reference's first gradient is at least {@link #DETERMINED_GRADIENT}. Elsewhere Adam's normalised step
     * (g / (|g| + eps), a move of up to about lr whatever |g|) turns a gradient difference at rounding level into
     * another move, so those elements (a few norm weights of a freshly initialised model) need only stay within the
     * moves both sides can make.
     */
    static void assertStepped(String what, NDArray expected, NDArray actual, NDArray firstGradient, double tolerance,
            double lr, int steps) {
        assertEquals(expected.getShape().size(), actual.getShape().size(), what + ": size");
        NDArray diff = expected.toType(DataType.FLOAT64, false).sub(actual.toType(DataType.FLOAT64, false)).abs();
        NDArray determined = firstGradient.abs().gte(DETERMINED_GRADIENT).toType(DataType.FLOAT64, false);
        double err = diff.mul(determined).max().getDouble();
        assertTrue(err <= tolerance, what + ": max abs error " + err + " > " + tolerance);
        double otherErr = diff.mul(determined.neg().add(1)).max().getDouble();
        double moves = 4 * lr * steps;
        assertTrue(otherErr <= moves, what + ": max abs error " + otherErr + " where the gradient is below "
                + DETERMINED_GRADIENT + " > " + moves);
    }

    /** Gradients: max |a - e| <= 1e-4 * max(1, max |e|). */
    static void assertGradient(String what, NDArray expected, NDArray actual) {
        assertClose(what, expected, actual, 1e-4 * Math.max(1, OracleFiles.maxAbs(expected)));
    }
}
