package io.latentflow.orchestrator.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.orchestrator.config.OrchestratorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What the orchestrator needs to know about a model to run its sampling loop (scheduler configuration, latent
 * channels and scale factor of the VAE), read from models/&lt;name&gt;/&lt;version&gt;/ under the local model root, else from the same
 * prefix in the bucket. An empty version means the highest version present.
 */
@ApplicationScoped
public class ModelCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Versions compare numerically when both are numbers, else as text. */
    private static final Comparator<String> VERSION_ORDER = (a, b) -> {
        boolean numbers = a.matches("\\d{1,18}") && b.matches("\\d{1,18}");
        return numbers ? Long.compare(Long.parseLong(a), Long.parseLong(b)) : a.compareTo(b);
    };

    private final Path root;
    private final ObjectStore store;
    private final Map<String, ModelInfo> cache = new ConcurrentHashMap<>();

    @Inject
    public ModelCatalog(OrchestratorConfig config, ObjectStore store) {
        this(Path.of(config.modelsRoot()), store);
    }

    /** A catalog over the model folders under {@code root}, falling back to {@code store}. */
    public ModelCatalog(Path root, ObjectStore store) {
        this.root = root;
        this.store = store;
    }

    /**
     * The sampling facts of one model version.
     *
     * @param latentChannels channels of the VAE's latent space (the UNet's input without inpainting channels)
     * @param unetInChannels input channels of the UNet (latent channels, or 2 * latent + 1 for inpainting UNets)
     * @param vaeScaleFactor pixels per latent cell, 2^(number of VAE blocks - 1)
     * @param textTimeConditioning whether the UNet takes SDXL added conditioning (addition_embed_type "text_time":
     *                             pooled text embeds and time ids)
     */
    public record ModelInfo(String name, String version, SchedulerConfig scheduler, int latentChannels,
            int unetInChannels, int vaeScaleFactor, boolean textTimeConditioning) {
    }

    /** Resolves the model; throws {@link ModelNotFoundException} when neither the model root nor the bucket has it. */
    public ModelInfo resolve(String name, String version) {
        String resolvedVersion = version.isEmpty() ? latestVersion(name) : version;
        return cache.computeIfAbsent(name + "/" + resolvedVersion, key -> load(name, resolvedVersion));
    }

    private String latestVersion(String name) {
        Path local = root.resolve(name);
        if (Files.isDirectory(local)) {
            try (Stream<Path> versions = Files.list(local)) {
                Optional<String> latest = versions.filter(Files::isDirectory)
                        .map(p -> p.getFileName().toString())
                        .max(VERSION_ORDER);
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
        return stored.stream().max(VERSION_ORDER)
                .orElseThrow(() -> new ModelNotFoundException("model '" + name + "' has no version under "
                        + root.toAbsolutePath() + " nor in bucket " + store.bucket()));
    }

    private ModelInfo load(String name, String version) {
        String prefix = name + "/" + version + "/";
        String schedulerJson = read(prefix, "scheduler/scheduler_config.json");
        JsonNode vae = tree(read(prefix, "vae/config.json"), prefix + "vae/config.json");
        int latentChannels = vae.path("latent_channels").asInt(4);
        JsonNode unet = tree(read(prefix, "unet/config.json"), prefix + "unet/config.json");
        int unetInChannels = unet.path("in_channels").asInt(latentChannels);
        int blocks = vae.path("block_out_channels").size();
        int scaleFactor = blocks == 0 ? 8 : 1 << (blocks - 1);
        boolean textTimeConditioning = "text_time".equals(unet.path("addition_embed_type").asText(""));
        return new ModelInfo(name, version, SchedulerConfig.parse(schedulerJson), latentChannels, unetInChannels,
                scaleFactor, textTimeConditioning);
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
                .orElseThrow(() -> new ModelNotFoundException("model " + prefix + " has no " + file + " under "
                        + root.toAbsolutePath() + " nor in bucket " + store.bucket()));
    }

    private static JsonNode tree(String json, String what) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new ModelNotFoundException(what + " is not valid JSON: " + e.getMessage());
        }
    }
}
