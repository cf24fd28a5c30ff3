package io.latentflow.deploy;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes. */
final class Await {

    private Await() {
    }

    /**
     * Evaluates {@code condition} every {@code interval} until it is true; gives up after {@code timeout}, or
     * earlier when {@code abort} becomes true (for example when the process being waited on has died).
     */
    static void until(String what, Duration timeout, Duration interval, BooleanSupplier condition, BooleanSupplier abort)
            throws TimeoutException, InterruptedException {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (abort.getAsBoolean()) {
                throw new IllegalStateException(what + ": stopped waiting, the process exited or failed to start");
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new TimeoutException(what + ": not ready after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(interval.toMillis());
        }
    }
}
