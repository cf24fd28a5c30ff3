package io.latentflow.service.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Assertions the model services' tests share: tensors within a tolerance, gRPC statuses, conditions met in time. */
public final class ServiceAssertions {

    /** How long a condition may take to hold (model loading at start-up included). */
    public static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private ServiceAssertions() {
    }

    /** Same shape and largest absolute element difference at most {@code tolerance}. */
    public static void assertClose(NDArray expected, NDArray actual, float tolerance) {
        assertEquals(expected.getShape(), actual.getShape());
        float maxAbsDiff = actual.sub(expected).abs().max().getFloat();
        assertTrue(maxAbsDiff <= tolerance, "max |difference| " + maxAbsDiff + " > " + tolerance);
    }

    /** The call fails with status {@code code} and a description that mentions {@code mentioned}. */
    public static void assertStatus(Status.Code code, String mentioned, Runnable call) {
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, error.getStatus().getCode(), error.getStatus().toString());
        assertTrue(error.getStatus().getDescription().contains(mentioned), error.getStatus().getDescription());
    }

    /** Polls the condition until it holds, failing after {@link #DEADLINE}. */
    public static void awaitCondition(BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not met within " + DEADLINE);
            }
            LockSupport.parkNanos(POLL_INTERVAL.toNanos());
        }
    }
}
