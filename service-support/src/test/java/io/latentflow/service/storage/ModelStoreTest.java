package io.latentflow.service.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.model.ModelVersions;
import io.latentflow.service.config.ModelsConfig;
import io.latentflow.service.config.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    @TempDir
    Path root;

    @Test
    void blankReferencesResolveToTheDefaultModelAndItsHighestVersion() throws IOException {
        modelFolder("tiny-sd", "2");
        modelFolder("tiny-sd", "10");
        modelFolder("other", "1");
        ModelStore store = localStore(Optional.empty());

        assertEquals(new ModelId("tiny-sd", "10"), store.resolve("", null));
        assertEquals(new ModelId("other", "1"), store.resolve("other", ""));
        assertEquals(new ModelId("tiny-sd", "2"), store.resolve("tiny-sd", "2"));
    }

    @Test
    void theConfiguredDefaultVersionAppliesOnlyToTheDefaultModel() throws IOException {
        modelFolder("tiny-sd", "1");
        modelFolder("tiny-sd", "3");
        modelFolder("other", "5");
        ModelStore store = localStore(Optional.of("1"));

        assertEquals(new ModelId("tiny-sd", "1"), store.resolve("", ""));
        assertEquals(new ModelId("other", "5"), store.resolve("other", ""));
    }

    @Test
    void aLocalModelFolderIsServedInPlace() throws IOException {
        Path folder = modelFolder("tiny-sd", "1");

        assertEquals(folder, localStore(Optional.empty()).directory(new ModelId("tiny-sd", "1")));
    }

    @Test
    void anUnknownModelIsNotFoundWithoutAnObjectStore() {
        ModelStore store = localStore(Optional.empty());

        ModelNotFoundException missing = assertThrows(ModelNotFoundException.class, () -> store.resolve("nope", ""));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        assertThrows(ModelNotFoundException.class, () -> store.directory(new ModelId("nope", "1")));
    }

    @Test
    void namesThatCouldLeaveTheModelDirectoryAreRejected() {
        ModelStore store = localStore(Optional.empty());

        assertThrows(IllegalArgumentException.class, () -> store.resolve("../etc", "1"));
        assertThrows(IllegalArgumentException.class, () -> new ModelId("tiny-sd", "a..b"));
        assertThrows(IllegalArgumentException.class, () -> new ModelId("tiny-sd", "1/2"));
    }

    @Test
    void numericVersionsSortAsNumbersAboveTextualOnes() {
        List<String> sorted = List.of("beta", "10", "2", "alpha").stream().sorted(ModelVersions.ORDER).toList();

        assertEquals(List.of("alpha", "beta", "2", "10"), sorted);
    }

    private Path modelFolder(String name, String version) throws IOException {
        Path folder = Files.createDirectories(root.resolve(name).resolve(version));
        Files.writeString(folder.resolve("model_index.json"), "{}");
        return folder;
    }

    private ModelStore localStore(Optional<String> defaultVersion) {
        return new ModelStore(new Models(root, defaultVersion), new NoStore(), Set.of("unet"));
    }

    private record Models(Path root, Optional<String> defaultVersion) implements ModelsConfig {
        @Override
        public String defaultName() {
            return "tiny-sd";
        }

        @Override
        public String device() {
            return "cpu";
        }

        @Override
        public String dtype() {
            return "float32";
        }

        @Override
        public Path cacheDir() {
            return root.resolve(".cache");
        }

        @Override
        public boolean preload() {
            return false;
        }

        @Override
        public Duration versionRefresh() {
            return Duration.ZERO;
        }
    }

    private record NoStore() implements StoreConfig {
        @Override
        public Optional<String> endpoint() {
            return Optional.empty();
        }

        @Override
        public String bucket() {
            return "latentflow";
        }

        @Override
        public Optional<String> accessKey() {
            return Optional.empty();
        }

        @Override
        public Optional<String> secretKey() {
            return Optional.empty();
        }

        @Override
        public Optional<String> region() {
            return Optional.empty();
        }
    }
}
