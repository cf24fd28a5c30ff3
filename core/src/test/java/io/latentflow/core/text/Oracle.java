package io.latentflow.core.text;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Location of the shared reference tensors (system property {@code latentflow.oracle}). */
final class Oracle {

    private Oracle() {
    }

    static Path dir(String name) {
        String root = System.getProperty("latentflow.oracle", "../../shared/oracle");
        Path dir = Path.of(root).resolve(name).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(dir), "oracle folder missing: " + dir);
        return dir;
    }
}
