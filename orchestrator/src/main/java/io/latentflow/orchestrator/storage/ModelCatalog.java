package io.latentflow.orchestrator.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.model.ConfigJson;
import io.latentflow.core.model.ModelVersions;
import io.latentflow.core.pipeline.ModelTraits;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.core.vae.AutoencoderKlConfig;
import io.latentflow.orchestrator.config.OrchestratorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What the orchestrator needs to know about a model to run its pipeline (scheduler, UNet and VAE configurations,
 * model_index.json's flags), read from models/&lt;name&gt;/&lt;version&gt;/ under the local model root, else from the same
 * prefix in the bucket. An empty version means the highest version present.
 */
@ApplicationScoped
public class ModelCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long what was read of a model version is trusted: a version deleted and published again is read again. */
    private static final Duration REREAD_AFTER = Duration.ofSeconds(30);

    private final Path root;
    private final ObjectStore store;
    private final Map<String, Read> cache = new ConcurrentHashMap<>();

    @Inject
    public ModelCatalog(OrchestratorConfig config, ObjectStore store) {
        this(Path.of(config.modelsRoot()), store);
    }

    /** A catalog over the model folders under {@code root}, falling back to {@code store}. */
    public ModelCatalog(Path root, ObjectStore store) {
        this.root = root;
        this.store = store;
    }

    /** One model version and what its pipeline needs to know of it before running it. */
    public record ModelInfo(String name, String version, ModelTraits traits) {

        public SchedulerConfig scheduler() {
            return traits.scheduler();
        }

        /** Channels of the VAE's latent space (the UNet's input without inpainting channels). */
        public int latentChannels() {
            return traits.latentChannels();
        }

        /** Input channels of the UNet (latent channels, or 2 * latent + 1 for inpainting UNets). */
        public int unetInChannels() {
            return traits.unet().inChannels();
        }

        /** Pixels per latent cell, 2^(number of VAE blocks - 1). */
        public int vaeScaleFactor() {
            return traits.vaeScaleFactor();
        }

        /** Whether the UNet takes SDXL added conditioning (pooled text embeds and time ids). */
        public boolean textTimeConditioning() {
            return traits.unet().usesTextTime();
        }
    }

    /** Resolves the model; throws {@link ModelNotFoundException} when neither the model root nor the bucket has it. */
    public ModelInfo resolve(String name, String version) {
        String resolvedVersion = version.isEmpty() ? latestVersion(name) : version;
        String key = name + "/" + resolvedVersion;
        long now = System.nanoTime();
        Read known = cache.get(key);
        if (known != null && now - known.atNanos() < REREAD_AFTER.toNanos()) {
            return known.info();
        }
        ModelInfo info = load(name, resolvedVersion);
        cache.put(key, new Read(info, now));
        return info;
    }

    /**
     * Every model version there is: folders under the models root, then versions in the bucket (a version counts
     * once its model_index.json exists), as "name/version", sorted by name and version.
     */
    public List<String> list() {
        SortedSet<String> found = new TreeSet<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> names = Files.list(root)) {
                for (Path name : names.filter(Files::isDirectory).toList()) {
                    try (Stream<Path> versions = Files.list(name)) {
                        versions.filter(v -> Files.isRegularFile(v.resolve("model_index.json")))
                                .forEach(v -> found.add(name.getFileName() + "/" + v.getFileName()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        for (String name : store.listFolders("models/")) {
            for (String version : store.listFolders("models/" + name + "/")) {
                if (store.get("models/" + name + "/" + version + "/model_index.json").isPresent()) {
                    found.add(name + "/" + version);
                }
            }
        }
        return List.copyOf(found);
    }

    private String latestVersion(String name) {
        Path local = root.resolve(name);
        if (Files.isDirectory(local)) {
            try (Stream<Path> versions = Files.list(local)) {
                Optional<String> latest = versions.filter(v -> Files.isRegularFile(v.resolve("model_index.json")))
                        .map(p -> p.getFileName().toString())
                        .max(ModelVersions.ORDER);
                if (latest.isPresent()) {
                    return latest.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + local, e);
            }
        }
        // a version is visible once its model_index.json exists: the object a publisher writes last
        List<String> stored = store.listFolders("models/" + name + "/").stream()
                .filter(v -> store.get("models/" + name + "/" + v + "/model_index.json").isPresent()).toList();
        return stored.stream().max(ModelVersions.ORDER)
                .orElseThrow(() -> new ModelNotFoundException("model '" + name + "' has no version (neither in the"
                        + " model folders nor under models/" + name + "/ in the bucket)"));
    }

    private ModelInfo load(String name, String version) {
        String prefix = name + "/" + version + "/";
        JsonNode index = tree(read(prefix, "model_index.json"), prefix + "model_index.json");
        SchedulerConfig scheduler = SchedulerConfig.parse(read(prefix, "scheduler/scheduler_config.json"));
        UNet2dConditionConfig unet = UNet2dConditionConfig.parse(config(prefix, "unet/config.json"));
        AutoencoderKlConfig vae = AutoencoderKlConfig.parse(config(prefix, "vae/config.json"));
        return new ModelInfo(name, version, ModelTraits.of(index, scheduler, unet, vae));
    }

    private ConfigJson config(String prefix, String file) {
        return new ConfigJson(Path.of("models", prefix, file), tree(read(prefix, file), prefix + file));
    }

    private String read(String prefix, String file) {
        Path local = root.resolve(prefix).resolve(file);
        if (Files.isRegularFile(local)) {
            try {
                return Files.readString(local, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + local, e);
            }
        }
        return store.get("models/" + prefix + file)
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .orElseThrow(() -> new ModelNotFoundException("model " + prefix + " has no " + file
                        + " (neither in the model folders nor in the bucket)"));
    }

    private static JsonNode tree(String json, String what) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new ModelNotFoundException(what + " is not valid JSON: " + e.getMessage());
        }
    }

    private record Read(ModelInfo info, long atNanos) {
    }
}
