package io.latentflow.service.storage;

import io.latentflow.core.model.ModelVersions;
import io.latentflow.service.config.ModelsConfig;
import io.latentflow.service.config.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Finds model folders: {@code <root>/<name>/<version>/} on local disk, else a local copy of the object store's
 * {@code models/<name>/<version>/} (fetched on first use, only the components the service needs).
 */
public class ModelStore {

    private static final Logger LOG = Logger.getLogger(ModelStore.class);
    private static final String MODEL_INDEX = "model_index.json";

    private final ModelsConfig config;
    private final Optional<ObjectStoreModels> objectStore;
    private final Set<String> components;
    private final Map<String, LatestVersion> latest = new ConcurrentHashMap<>();
    private final Map<ModelId, KnownRevision> revisions = new ConcurrentHashMap<>();

    /**
     * @param components the parts of a pipeline folder the service loads (e.g. {@code unet}); only these are fetched
     */
    public ModelStore(ModelsConfig config, StoreConfig store, Set<String> components) {
        this.config = config;
        this.objectStore = ObjectStore.of(store).map(ObjectStoreModels::new);
        this.components = Set.copyOf(components);
    }

    /**
     * Fills in what a request left out: no name means the default model (and its configured version), no version
     * means the highest version present locally or in the object store.
     */
    public ModelId resolve(String name, String version) {
        boolean defaultModel = isBlank(name);
        String modelName = defaultModel ? config.defaultName() : name;
        String modelVersion = isBlank(version) && defaultModel ? config.defaultVersion().orElse("") : version;
        ModelId.requireSegment("model name", modelName);
        if (isBlank(modelVersion)) {
            modelVersion = latestVersion(modelName);
        }
        return new ModelId(modelName, modelVersion);
    }

    /**
     * The local folder of a model version, copied from the object store first when only the store has it. A copy is
     * kept per published revision (see {@link ObjectStoreModels#revision}), so a version deleted and published again
     * is fetched again rather than served stale from the cache.
     */
    public Path directory(ModelId id) {
        Path local = config.root().resolve(id.name()).resolve(id.version());
        if (isModelFolder(local)) {
            return local;
        }
        if (objectStore.isEmpty()) {
            throw new ModelNotFoundException("model " + id + " not found in the model folders (no object store"
                    + " configured)");
        }
        Path cached = cachedFolder(id, publishedRevision(objectStore.get(), id));
        if (!isModelFolder(cached)) {
            synchronized (this) {
                if (!isModelFolder(cached)) {
                    fetch(objectStore.get(), id, cached);
                }
            }
        }
        return cached;
    }

    /**
     * The whole folder of a model version, every component (a training run needs more than a service serves): the
     * local one when present, else a copy of the object store's fetched into {@code target}, which the caller owns
     * (the service's model cache is not used).
     */
    public Path completeFolder(ModelId id, Path target) {
        Path local = config.root().resolve(id.name()).resolve(id.version());
        if (isModelFolder(local)) {
            return local;
        }
        if (objectStore.isEmpty()) {
            throw new ModelNotFoundException("model " + id + " not found in the model folders (no object store"
                    + " configured)");
        }
        ObjectStoreModels store = objectStore.get();
        LOG.infof("fetching every component of model %s from %s into %s", id, store.location(), target);
        int files = store.downloadAll(id, target);
        if (files == 0 || !isModelFolder(target)) {
            throw notInStore(store, id);
        }
        return target;
    }

    private void fetch(ObjectStoreModels store, ModelId id, Path cached) {
        Path partial = cached.resolveSibling("." + cached.getFileName() + ".partial-" + UUID.randomUUID());
        try {
            Files.createDirectories(partial);
            LOG.infof("fetching model %s from %s into %s", id, store.location(), cached);
            int files = store.download(id, partial, components);
            if (files == 0 || !isModelFolder(partial)) {
                throw notInStore(store, id);
            }
            Files.move(partial, cached, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store model " + id + " in " + cached, e);
        } finally {
            deleteTree(partial);
        }
        removeOtherRevisions(cached);
    }

    /** The revision the bucket publishes now, asked at most once per refresh interval; the last known one when the
     * bucket cannot be reached, so a service keeps serving what it has cached. */
    private String publishedRevision(ObjectStoreModels store, ModelId id) {
        KnownRevision known = revisions.get(id);
        long now = System.nanoTime();
        if (known != null && now - known.checkedAtNanos() < config.versionRefresh().toNanos()) {
            return known.revision();
        }
        String revision;
        try {
            revision = store.revision(id).orElseThrow(() -> notInStore(store, id));
        } catch (IllegalStateException unreachable) {
            if (known == null) {
                throw unreachable;
            }
            LOG.warnf("cannot check model %s in %s, serving the cached copy: %s", id, store.location(),
                    unreachable.getMessage());
            return known.revision();
        }
        revisions.put(id, new KnownRevision(revision, now));
        return revision;
    }

    private ModelNotFoundException notInStore(ObjectStoreModels store, ModelId id) {
        return new ModelNotFoundException("model " + id + " not found: neither in the model folders nor as "
                + "models/" + id + "/" + MODEL_INDEX + " in the bucket");
    }

    /** Earlier revisions of a version: their models were loaded into memory when used, their files are not needed. */
    private static void removeOtherRevisions(Path cached) {
        try (Stream<Path> siblings = Files.list(cached.getParent())) {
            siblings.filter(sibling -> !sibling.equals(cached) && !sibling.getFileName().toString().startsWith("."))
                    .forEach(ModelStore::deleteTree);
        } catch (IOException e) {
            LOG.warnf("cannot list %s: %s", cached.getParent(), e.getMessage());
        }
    }

    private String latestVersion(String name) {
        LatestVersion known = latest.get(name);
        long now = System.nanoTime();
        if (known != null && now - known.resolvedAtNanos() < config.versionRefresh().toNanos()) {
            return known.version();
        }
        List<String> versions = new ArrayList<>(localVersions(config.root().resolve(name)));
        objectStore.ifPresent(store -> versions.addAll(store.versions(name)));
        String highest = versions.stream().max(ModelVersions.ORDER).orElseThrow(() -> new ModelNotFoundException(
                "model " + name + " not found: no version in the model folders"
                        + objectStore.map(store -> " nor under models/" + name + "/ in the bucket").orElse("")));
        latest.put(name, new LatestVersion(highest, now));
        return highest;
    }

    private Path cachedFolder(ModelId id, String revision) {
        return config.cacheDir().resolve(id.name()).resolve(id.version()).resolve(folderName(revision));
    }

    /** A revision (ETag and time) as a safe folder name. */
    private static String folderName(String revision) {
        return UUID.nameUUIDFromBytes(revision.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static List<String> localVersions(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(modelDir)) {
            return children.filter(ModelStore::isModelFolder).map(path -> path.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + modelDir, e);
        }
    }

    private static boolean isModelFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(MODEL_INDEX));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warnf("cannot delete %s: %s", dir, e.getMessage());
        }
    }

    private record LatestVersion(String version, long resolvedAtNanos) {
    }

    private record KnownRevision(String revision, long checkedAtNanos) {
    }
}
