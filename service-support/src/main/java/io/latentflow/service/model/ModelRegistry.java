package io.latentflow.service.model;

import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.model.PipelineFolder;
import io.latentflow.service.config.ModelsConfig;
import io.latentflow.service.storage.ModelId;
import io.latentflow.service.storage.ModelStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Loads models on demand, one per (name, version), keeps them for the life of the service and reports them; a
 * service's registry bean extends it with its model type, the folder components it needs and their loader. The
 * default model is loaded at start-up when configured to be, and every model is closed at shutdown.
 */
public abstract class ModelRegistry<M extends AutoCloseable> {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final String kind;
    private final ModelStore store;
    private final ModelsConfig config;
    private final ModelOptions options;
    private final ModelLoader<M> loader;
    private final Map<Loaded, CompletableFuture<M>> models = new ConcurrentHashMap<>();
    private volatile DefaultModelState defaultModel = new DefaultModelState(null, "not loaded yet");

    /**
     * @param kind what the models are, for log messages (e.g. {@code UNet})
     */
    protected ModelRegistry(String kind, ModelStore store, ModelsConfig config, MeterRegistry meters,
            ModelLoader<M> loader) {
        // DJL reads offline mode only from this system property; the services never download an engine.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        this.kind = kind;
        this.store = store;
        this.config = config;
        this.options = ModelOptions.of(config.device(), config.dtype());
        this.loader = loader;
        Gauge.builder("latentflow.models.loaded", models, loaded -> loadedModels().size())
                .description("models loaded in memory")
                .register(meters);
    }

    /** Starts loading the default model in the background when configured to preload it. */
    void preloadDefault(@Observes StartupEvent event) {
        if (!config.preload()) {
            return;
        }
        Thread thread = new Thread(this::loadDefault, "default-model-loader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Closes every loaded model and forgets them. */
    void closeAll(@Observes ShutdownEvent event) {
        models.values().forEach(future -> future.thenAccept(this::closeModel));
        models.clear();
    }

    /** The model for a request's model reference (blank parts: defaults), loading it on first use. */
    public LoadedModel<M> get(String name, String version) {
        ModelId id = store.resolve(name, version);
        return new LoadedModel<>(id, load(id), options);
    }

    /** Model versions currently held in memory. */
    public List<ModelId> loadedModels() {
        return models.entrySet().stream()
                .filter(entry -> entry.getValue().isDone() && !entry.getValue().isCompletedExceptionally())
                .map(entry -> entry.getKey().id())
                .distinct()
                .sorted((a, b) -> a.toString().compareTo(b.toString()))
                .toList();
    }

    /** The default model's id once loaded, or why it is not. */
    public DefaultModelState defaultModel() {
        return defaultModel;
    }

    private void loadDefault() {
        try {
            ModelId id = store.resolve("", "");
            load(id);
            defaultModel = new DefaultModelState(id, null);
        } catch (RuntimeException | LinkageError e) {
            LOG.errorf(e, "default model %s could not be loaded", config.defaultName());
            defaultModel = new DefaultModelState(null, String.valueOf(e.getMessage()));
        }
    }

    /**
     * The model of a resolved id, loading it on first use; concurrent first calls load it once. A version published
     * again comes from a new folder and is loaded again.
     */
    private M load(ModelId id) {
        Path folder = store.directory(id);
        Loaded key = new Loaded(id, folder);
        CompletableFuture<M> created = new CompletableFuture<>();
        CompletableFuture<M> existing = models.putIfAbsent(key, created);
        if (existing != null) {
            return join(existing);
        }
        try {
            long start = System.nanoTime();
            M model = loader.load(PipelineFolder.open(folder), options);
            LOG.infof("loaded %s %s from %s in %d ms", kind, id, folder, (System.nanoTime() - start) / 1_000_000);
            created.complete(model);
            return model;
        } catch (RuntimeException | Error e) {
            models.remove(key, created);
            created.completeExceptionally(e);
            throw e;
        }
    }

    private void closeModel(M model) {
        try {
            model.close();
        } catch (Exception e) {
            LOG.warnf("cannot close %s: %s", kind, e.getMessage());
        }
    }

    private static <M> M join(CompletableFuture<M> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** A model version as loaded from one folder (one published revision). */
    private record Loaded(ModelId id, Path folder) {
    }
}
