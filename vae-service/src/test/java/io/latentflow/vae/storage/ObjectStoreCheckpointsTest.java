package io.latentflow.vae.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.service.storage.ObjectStore;
import io.latentflow.service.storage.ObjectStoreCheckpoints;
import io.latentflow.service.testing.S3ServerResource;
import io.latentflow.service.testing.TestBucket;
import io.latentflow.vae.config.VaeConfig;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = S3ServerResource.class,
        initArgs = @ResourceArg(name = S3ServerResource.CONFIG_PREFIX, value = "vae"))
class ObjectStoreCheckpointsTest {

    private static final Path WORK = Path.of("target", "checkpoints-test");

    @Inject
    VaeConfig config;

    @Test
    void onlyCheckpointsWithTheirStateFileCountAndTheyComeBackWhole() throws IOException {
        TestBucket bucket = new TestBucket(config.store().endpoint().orElseThrow());
        ObjectStoreCheckpoints store = new ObjectStoreCheckpoints(ObjectStore.of(config.store()).orElseThrow(),
                "checkpoints-test");
        Path folder = checkpointFolder(2);

        assertEquals("training/checkpoints-test/checkpoints/2/", store.save(2, folder));
        assertEquals("training/checkpoints-test/checkpoints/10/", store.save(10, checkpointFolder(10)));
        // a checkpoint cut short by a kill: everything but its state.json
        bucket.uploadFile(folder.resolve("vae/config.json"), "training/checkpoints-test/checkpoints/12/vae/config.json");

        assertEquals(List.of(2L, 10L), store.steps());
        assertEquals(Optional.of(10L), store.latest());
        Path fetched = store.fetch(10, WORK.resolve("fetched"));
        assertEquals("{\"step\": 10}", Files.readString(fetched.resolve("state.json")));
        assertEquals("{}", Files.readString(fetched.resolve("vae/config.json")));

        store.delete(2);

        assertEquals(List.of(10L), store.steps());
        assertTrue(bucket.keys("training/checkpoints-test/checkpoints/2/").isEmpty());
        assertEquals("training/checkpoints-test/output/", store.saveOutput(folder));
        assertTrue(bucket.keys("training/checkpoints-test/output/").contains(
                "training/checkpoints-test/output/vae/config.json"));
    }

    private static Path checkpointFolder(long step) throws IOException {
        Path folder = WORK.resolve("checkpoint-" + step);
        Files.createDirectories(folder.resolve("vae"));
        Files.writeString(folder.resolve("vae/config.json"), "{}");
        Files.writeString(folder.resolve("state.json"), "{\"step\": " + step + "}");
        return folder;
    }
}
