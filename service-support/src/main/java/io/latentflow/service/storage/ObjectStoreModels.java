package io.latentflow.service.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Models kept in an S3-compatible bucket under {@code models/<name>/<version>/}, listed and copied to local disk. A
 * version is published by writing its {@code model_index.json} last, so only versions that have one count.
 */
public final class ObjectStoreModels {

    private static final String PREFIX = "models/";
    private static final String MODEL_INDEX = "model_index.json";

    private final ObjectStore store;

    public ObjectStoreModels(ObjectStore store) {
        this.store = store;
    }

    /** Where the models are, for messages. */
    public String location() {
        return store.location() + PREFIX;
    }

    /** Complete versions in the bucket for a model name: those whose model_index.json exists. */
    public List<String> versions(String name) {
        List<String> versions = new ArrayList<>();
        String prefix = PREFIX + name + "/";
        for (String folder : store.folders(prefix)) {
            String version = folder.substring(prefix.length()).replace("/", "");
            if (!version.isEmpty() && store.exists(folder + MODEL_INDEX)) {
                versions.add(version);
            }
        }
        return versions;
    }

    /**
     * The published revision of a model version: that of its model_index.json, written last by every publish, so a
     * version deleted and published again gets a new one. Empty when the bucket has no such version.
     */
    public Optional<String> revision(ModelId id) {
        return store.revision(PREFIX + id.name() + "/" + id.version() + "/" + MODEL_INDEX);
    }

    /**
     * Copies {@code models/<name>/<version>/model_index.json} and every object under the given component folders into
     * {@code target}, keeping relative paths.
     *
     * @return the number of objects copied; 0 when the bucket has no such model version
     */
    public int download(ModelId id, Path target, Set<String> components) {
        return download(id, target, components::contains);
    }

    /**
     * Copies the whole of {@code models/<name>/<version>/} (every component) into {@code target}.
     *
     * @return the number of objects copied; 0 when the bucket has no such model version
     */
    public int downloadAll(ModelId id, Path target) {
        return download(id, target, component -> true);
    }

    private int download(ModelId id, Path target, Predicate<String> components) {
        String prefix = PREFIX + id.name() + "/" + id.version() + "/";
        Path base = target.toAbsolutePath().normalize();
        int copied = 0;
        for (String key : store.keys(prefix)) {
            String relative = key.substring(prefix.length());
            Path file = base.resolve(relative).normalize();
            String top = relative.contains("/") ? relative.substring(0, relative.indexOf('/')) : relative;
            boolean wanted = relative.equals(MODEL_INDEX) || components.test(top) && !top.equals(relative);
            if (wanted && file.startsWith(base) && store.download(key, file)) {
                copied++;
            }
        }
        return copied;
    }
}
