package io.latentflow.orchestrator.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TrainingRunsResourceTest {

    @Test
    void metricsRowsBecomeOneJsonArrayInTheirOrder() throws Exception {
        String jsonl = "{\"type\":\"accepted\",\"totalSteps\":\"2\"}\n"
                + "{\"type\":\"progress\",\"step\":\"1\",\"losses\":{\"loss\":0.5}}\n"
                + "{\"type\":\"progress\",\"step\":\"2\",\"losses\":{\"loss\":0.25}}\n";
        JsonNode rows = new ObjectMapper().readTree(TrainingRunsResource.jsonArray(jsonl));
        assertEquals(3, rows.size());
        assertEquals("accepted", rows.get(0).get("type").asText());
        assertEquals(0.25, rows.get(2).get("losses").get("loss").asDouble());
    }

    @Test
    void noRowsIsAnEmptyArray() {
        assertEquals("[]", TrainingRunsResource.jsonArray(""));
        assertEquals("[]", TrainingRunsResource.jsonArray("\n"));
    }
}
