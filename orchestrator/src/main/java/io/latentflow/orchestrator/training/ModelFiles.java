package io.latentflow.orchestrator.training;

import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.storage.ModelNotFoundException;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.ModelRef;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of a model version, wherever it lives: under the local model root, else under models/ in the bucket.
 * Keys of the returned maps are paths relative to the model folder ({@code unet/config.json}).
 */
@ApplicationScoped
public class ModelFiles {

    private final OrchestratorConfig config;
    private final ObjectStore store;

    @Inject
    ModelFiles(OrchestratorConfig config, ObjectStore store) {
        this.config = config;
        this.store = store;
    }

    /** The bucket prefix of a model version. */
    public static String prefix(ModelRef model) {
        return "models/" + model.getName() + "/" + model.getVersion() + "/";
    }

    private Path localFolder(ModelRef model) {
        return Path.of(config.modelsRoot()).resolve(model.getName()).resolve(model.getVersion());
    }

    /** Every file of the model version by relative path, read lazily. */
    public Map<String, FileSource> files(ModelRef model) {
        Map<String, FileSource> out = new LinkedHashMap<>();
        Path local = localFolder(model);
        if (Files.isRegularFile(local.resolve("model_index.json"))) {
            try (Stream<Path> walk = Files.walk(local)) {
                for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                    out.put(local.relativize(p).toString().replace('\\', '/'), () -> Files.readAllBytes(p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + local, e);
            }
            return out;
        }
        String prefix = prefix(model);
        for (String key : store.list(prefix)) {
            out.put(key.substring(prefix.length()), () -> store.get(key).orElseThrow(
                    () -> new IOException(key + " disappeared")));
        }
        if (!out.containsKey("model_index.json")) {
            throw new ModelNotFoundException("model " + model.getName() + "/" + model.getVersion()
                    + " not found under " + local.toAbsolutePath() + " nor in bucket " + store.bucket());
        }
        return out;
    }

    /** Copies one component folder of a model into {@code target} and returns the copy. */
    public Path component(ModelRef model, String component, Path target) {
        Path dir = target.resolve(component);
        try {
            for (Map.Entry<String, FileSource> f : files(model).entrySet()) {
                if (f.getKey().startsWith(component + "/")) {
                    Path file = dir.resolve(f.getKey().substring(component.length() + 1));
                    Files.createDirectories(file.getParent());
                    Files.write(file, f.getValue().read());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + component + " of " + model.getName(), e);
        }
        return dir;
    }

    /** The bytes of one file, read on demand. */
    @FunctionalInterface
    public interface FileSource {
        byte[] read() throws IOException;
    }
}
