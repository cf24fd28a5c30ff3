package io.latentflow.core.nn;

import java.util.function.Supplier;

/**
 * Counts the floating-point operations of the matrix work (convolutions, linear layers, attention products) done by
 * the calling thread while a measurement is active; a multiply-add counts as 2 FLOPs. Elementwise ops are not counted.
 */
public final class FlopCounter {

    private static final ThreadLocal<long[]> ACTIVE = new ThreadLocal<>();

    private FlopCounter() {
    }

    /** Runs {@code work} and returns the FLOPs it performed through this package's layers. */
    public static <T> Counted<T> measure(Supplier<T> work) {
        long[] previous = ACTIVE.get();
        long[] count = {0};
        ACTIVE.set(count);
        try {
            T result = work.get();
            return new Counted<>(result, count[0]);
        } finally {
            if (previous == null) {
                ACTIVE.remove();
            } else {
                previous[0] += count[0];
                ACTIVE.set(previous);
            }
        }
    }

    static void add(long flops) {
        long[] c = ACTIVE.get();
        if (c != null) {
            c[0] += flops;
        }
    }

    static boolean active() {
        return ACTIVE.get() != null;
    }

    /** A result with the FLOPs spent computing it. */
    public record Counted<T>(T value, long flops) {
    }
}
