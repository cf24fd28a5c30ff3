package io.latentflow.textencoder.model;

import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.model.PipelineFolder;
import io.latentflow.core.text.PromptEncoder;
import io.latentflow.textencoder.config.TextEncoderConfig;
import io.latentflow.textencoder.storage.ModelId;
import io.latentflow.textencoder.storage.ModelStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/** Loads prompt encoders (tokenizers and text encoders) on demand, one per (name, version), keeps them for the life of the service and reports them. */
@ApplicationScoped
public class PromptEncoderRegistry {

    private static final Logger LOG = Logger.getLogger(PromptEncoderRegistry.class);

    private final ModelStore store;
    private final TextEncoderConfig.Models config;
    private final ModelOptions options;
    private final Map<ModelId, CompletableFuture<PromptEncoder>> models = new ConcurrentHashMap<>();
    private volatile DefaultModelState defaultModel = new DefaultModelState(null, "not loaded yet");

    @Inject
    public PromptEncoderRegistry(ModelStore store, TextEncoderConfig config, MeterRegistry meters) {
        // DJL reads offline mode only from this system property; the services never download an engine.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        this.store = store;
        this.config = config.models();
        this.options = ModelOptions.of(this.config.device(), this.config.dtype());
        Gauge.builder("latentflow.models.loaded", models, loaded -> loadedModels().size())
                .description("models loaded in memory")
                .register(meters);
    }

    void preload(@Observes StartupEvent event) {
        if (!config.preload()) {
            return;
        }
        Thread loader = new Thread(this::loadDefault, "default-model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    void close(@Observes ShutdownEvent event) {
        models.values().forEach(future -> future.thenAccept(PromptEncoder::close));
        models.clear();
    }

    /** The prompt encoder for a request's model reference (blank parts: defaults), loading it on first use. */
    public LoadedPromptEncoder get(String name, String version) {
        ModelId id = store.resolve(name, version);
        return new LoadedPromptEncoder(id, load(id), options);
    }

    /** Model versions currently held in memory. */
    public List<ModelId> loadedModels() {
        return models.entrySet().stream()
                .filter(entry -> entry.getValue().isDone() && !entry.getValue().isCompletedExceptionally())
                .map(Map.Entry::getKey)
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

    private PromptEncoder load(ModelId id) {
        CompletableFuture<PromptEncoder> created = new CompletableFuture<>();
        CompletableFuture<PromptEncoder> existing = models.putIfAbsent(id, created);
        if (existing != null) {
            return join(existing);
        }
        try {
            long start = System.nanoTime();
            Path folder = store.directory(id);
            PromptEncoder encoder = PromptEncoder.load(PipelineFolder.open(folder), options);
            LOG.infof("loaded prompt encoder %s from %s in %d ms", id, folder, (System.nanoTime() - start) / 1_000_000);
            created.complete(encoder);
            return encoder;
        } catch (RuntimeException | Error e) {
            models.remove(id, created);
            created.completeExceptionally(e);
            throw e;
        }
    }

    private static PromptEncoder join(CompletableFuture<PromptEncoder> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The default model's id once loaded ({@code loaded} present), else the reason it is not. */
    public record DefaultModelState(ModelId loaded, String problem) {

        public Optional<ModelId> loadedId() {
            return Optional.ofNullable(loaded);
        }
    }
}
