package io.latentflow.orchestrator.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModelPublisherTest {

    @Test
    void aRunTrainedForAnotherPredictionTypePublishesItInTheSchedulerConfig() throws Exception {
        byte[] base = ("{\"_class_name\": \"DDIMScheduler\", \"prediction_type\": \"epsilon\", \"beta_end\": 0.012,"
                + " \"steps_offset\": 1}").getBytes(StandardCharsets.UTF_8);
        JsonNode published = new ObjectMapper().readTree(ModelPublisher.withPredictionType(base, "v_prediction"));
        assertEquals("v_prediction", published.path("prediction_type").asText());
        assertEquals("DDIMScheduler", published.path("_class_name").asText());
        assertEquals(0.012, published.path("beta_end").asDouble());
        assertEquals(1, published.path("steps_offset").asInt());
    }
}
