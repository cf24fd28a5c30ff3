package io.latentflow.orchestrator.rest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ObjectsResourceTest {

    private static final Pattern IMAGE_KEY = Pattern.compile(ObjectsResource.IMAGE_KEY);

    @Test
    void servesJobImagesAndTrainingSamplesOnly() {
        for (String key : List.of("jobs/j1/images/0.png", "jobs/j1/previews/step-4.png",
                "training/run-1/samples/12/0.png")) {
            assertTrue(IMAGE_KEY.matcher(key).matches(), key);
        }
        for (String key : List.of("training/run-1/run.json", "training/run-1/checkpoints/12/sample.png",
                "training/run-1/metrics.jsonl", "training/samples/0.png", "inputs/uploads/a.png",
                "models/tiny-sd/1/unet/config.json", "datasets/shapes8/images/00000.png", "jobs/j1/job.json",
                "jobs/a.png")) {
            assertFalse(IMAGE_KEY.matcher(key).matches(), key);
        }
    }
}
