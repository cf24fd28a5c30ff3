package io.latentflow.cli.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * This process's resident memory as Linux reports it (/proc/self/status): the current size and the high-water mark
 * since the last reset, which brackets the peak of the native tensors a forward pass allocates.
 */
final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ResidentMemory() {
    }

    /** Current resident bytes (VmRSS), when the system reports it. */
    static OptionalLong current() {
        return field("VmRSS:");
    }

    /** Highest resident bytes (VmHWM) since the process started or {@link #resetPeak()} last succeeded. */
    static OptionalLong peak() {
        return field("VmHWM:");
    }

    /** Starts a new high-water mark at the current size; false where the system does not allow it. */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static OptionalLong field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    // "VmHWM:	  123456 kB"
                    return OptionalLong.of(Long.parseLong(line.substring(name.length()).replace("kB", "").trim()) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
