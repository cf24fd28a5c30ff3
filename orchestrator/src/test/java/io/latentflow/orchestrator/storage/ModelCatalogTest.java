package io.latentflow.orchestrator.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.latentflow.core.schedule.PredictionType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

    /** The repository's model root; every lookup below is answered locally, so no object store is needed. */
    private final ModelCatalog catalog = new ModelCatalog(Path.of("../models"), null);

    @Test
    void readsTheSamplingFactsOfTheShippedTinyModel() {
        ModelCatalog.ModelInfo tiny = catalog.resolve("tiny-sd", "1");
        assertEquals("tiny-sd", tiny.name());
        assertEquals("1", tiny.version());
        assertEquals(4, tiny.latentChannels());
        // vae block_out_channels [16, 32, 32, 32]: 2^(4 - 1)
        assertEquals(8, tiny.vaeScaleFactor());
        assertEquals(1000, tiny.scheduler().numTrainTimesteps());
        assertEquals(PredictionType.EPSILON, tiny.scheduler().predictionType());
        assertFalse(tiny.textTimeConditioning(), "an SD 1.x UNet takes no text_time added conditioning");
    }

    @Test
    void anEmptyVersionMeansTheHighestPresentAndIsCached() {
        ModelCatalog.ModelInfo latest = catalog.resolve("tiny-sd", "");
        assertEquals("1", latest.version());
        assertSame(latest, catalog.resolve("tiny-sd", "1"));
    }
}
