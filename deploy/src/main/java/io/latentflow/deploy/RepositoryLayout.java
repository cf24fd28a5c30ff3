package io.latentflow.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where things are in a LatentFlow checkout: the repository root, the local state directory, the stack's runtime
 * files (built by Maven into deploy/target/stack) and the model root.
 */
public record RepositoryLayout(Path root) {

    /** System property naming the repository root (the ./latentflow launcher sets it). */
    public static final String REPO_PROPERTY = "latentflow.repo";
    /** System property naming the local state directory (LATENTFLOW_HOME does the same). */
    public static final String HOME_PROPERTY = "latentflow.home";
    /** System property naming the stack runtime directory (the deploy module's tests set it). */
    public static final String STACK_RUNTIME_PROPERTY = "latentflow.stack.runtime";

    public RepositoryLayout {
        root = root.toAbsolutePath().normalize();
    }

    /**
     * The repository this process runs in: the {@code latentflow.repo} system property, else the LATENTFLOW_REPO
     * environment variable, else the nearest directory above the working directory holding deploy/kafka-runtime.
     */
    public static RepositoryLayout detect() {
        String explicit = Optional.ofNullable(System.getProperty(REPO_PROPERTY)).orElse(System.getenv("LATENTFLOW_REPO"));
        if (explicit != null && !explicit.isBlank()) {
            return new RepositoryLayout(Path.of(explicit));
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/kafka-runtime/pom.xml"))) {
                return new RepositoryLayout(dir);
            }
        }
        return new RepositoryLayout(cwd);
    }

    /**
     * The local state directory: the {@code latentflow.home} system property, else LATENTFLOW_HOME, else
     * .latentflow/ at the repository root.
     */
    public Path home() {
        String explicit = Optional.ofNullable(System.getProperty(HOME_PROPERTY)).orElse(System.getenv("LATENTFLOW_HOME"));
        return explicit != null && !explicit.isBlank() ? Path.of(explicit).toAbsolutePath() : root.resolve(".latentflow");
    }

    /** Runtime files of the local stack: kafka/ (the broker's classpath) and s3proxy.jar. */
    public Path stackRuntime() {
        String property = System.getProperty(STACK_RUNTIME_PROPERTY);
        return property != null && !property.isBlank() ? Path.of(property) : root.resolve("deploy/target/stack");
    }

    /** Model root handed to the services: models/ at the repository root. */
    public Path models() {
        return root.resolve("models");
    }

    /** The runnable Quarkus application of a service module. */
    public Path quarkusRunJar(String module) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }
}
