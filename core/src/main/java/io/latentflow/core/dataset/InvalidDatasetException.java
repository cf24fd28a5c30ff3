package io.latentflow.core.dataset;

import java.nio.file.Path;

/**
 * Raised when a dataset folder cannot be trained on; the message names the dataset, then the file or metadata line
 * and the problem: {@code dataset 'data/shapes': images/00003.png: 48x48, expected 64x64}.
 */
public class InvalidDatasetException extends RuntimeException {

    private final Path dir;
    private final String problem;

    public InvalidDatasetException(Path dir, String problem) {
        this(dir, problem, null);
    }

    public InvalidDatasetException(Path dir, String problem, Throwable cause) {
        super("dataset '" + dir + "': " + problem, cause);
        this.dir = dir;
        this.problem = problem;
    }

    public Path dir() {
        return dir;
    }

    /** The message without the dataset prefix: {@code images/00003.png: 48x48, expected 64x64}. */
    public String problem() {
        return problem;
    }
}
