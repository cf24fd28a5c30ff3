package io.latentflow.deploy;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What is known about one background component: its process (if alive), whether it answers its readiness check,
 * where it listens and where it logs.
 */
public record ComponentStatus(String name, OptionalLong pid, boolean ready, String endpoint, Path log) {

    public boolean running() {
        return pid.isPresent();
    }

    /** One human-readable line, e.g. {@code kafka      UP    pid 4242  127.0.0.1:9092}. */
    public String describe() {
        String state = ready ? "UP" : running() ? "STARTING" : "DOWN";
        String process = pid.isPresent() ? "pid " + pid.getAsLong() : "-";
        return String.format("%-22s %-9s %-11s %s", name, state, process, endpoint);
    }
}
