package io.latentflow.orchestrator.retry;

import java.time.Duration;

/**
 * The waits between tries of an operation that may succeed later (a server restarting, a connection cut): doubling
 * from a first wait up to a largest one, for as long as a deadline lasts. One instance per operation.
 */
public final class Backoff {

    private final long deadlineNanos;
    private final Duration largest;
    private Duration next;

    public Backoff(Duration first, Duration largest, Duration patience) {
        this.deadlineNanos = System.nanoTime() + patience.toNanos();
        this.largest = largest;
        this.next = first;
    }

    /** The wait before the next try. */
    public Duration nextWait() {
        return next;
    }

    /** Whether the next try, after its wait, still comes before the deadline. */
    public boolean withinDeadline() {
        return System.nanoTime() + next.toNanos() <= deadlineNanos;
    }

    /** Waits before the next try; false when interrupted (the thread's flag is set again). */
    public boolean await() {
        try {
            Thread.sleep(next.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(largest) > 0 ? largest : doubled;
        return true;
    }
}
