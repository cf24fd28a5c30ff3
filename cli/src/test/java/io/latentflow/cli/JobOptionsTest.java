package io.latentflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.latentflow.proto.GenerationRequest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class JobOptionsTest {

    private static GenerationRequest parse(String... args) {
        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit).parseArgs(args);
        return submit.job.toRequest();
    }

    @Test
    void everyOptionLandsInItsRequestField() {
        GenerationRequest request = parse("--job-id", "job-7", "--prompt", "a cat", "--negative-prompt", "blurry",
            "--width", "128", "--height", "96", "--steps", "12", "--sampler", "euler-a", "--guidance", "5.5",
            "--guidance-rescale", "0.7", "--eta", "0.3", "--seed", "1234567890123", "--model", "tiny-sd",
            "--model-version", "1", "--num-images", "3", "--init-image", "inputs/cat.png", "--strength", "0.6",
            "--mask", "inputs/mask.png", "--refiner", "tiny-refiner", "--refiner-version", "2",
            "--denoising-end", "0.8", "--karras");
        assertEquals("job-7", request.getJobId());
        assertEquals("a cat", request.getPrompt());
        assertEquals("blurry", request.getNegativePrompt());
        assertEquals(128, request.getWidth());
        assertEquals(96, request.getHeight());
        assertEquals(12, request.getSteps());
        assertEquals("euler-a", request.getSampler());
        assertEquals(5.5f, request.getGuidanceScale());
        assertEquals(0.7f, request.getGuidanceRescale());
        assertEquals(0.3f, request.getEta());
        assertEquals(1234567890123L, request.getSeed());
        assertEquals("tiny-sd", request.getModel().getName());
        assertEquals("1", request.getModel().getVersion());
        assertEquals(3, request.getNumImages());
        assertEquals("inputs/cat.png", request.getInitImage());
        assertEquals(0.6f, request.getStrength());
        assertEquals("inputs/mask.png", request.getMask());
        assertEquals("tiny-refiner", request.getRefiner().getName());
        assertEquals("2", request.getRefiner().getVersion());
        assertEquals(0.8f, request.getDenoisingEnd());
        assertTrue(request.getKarras());
    }

    @Test
    void optionsLeftOutStayAbsentSoTheOrchestratorDefaultsApply() {
        GenerationRequest request = parse("-p", "a dog");
        assertEquals(36, request.getJobId().length(), "a random UUID");
        assertFalse(request.hasNegativePrompt());
        assertFalse(request.hasWidth());
        assertFalse(request.hasSteps());
        assertFalse(request.hasSeed());
        assertFalse(request.hasGuidanceScale());
        assertFalse(request.hasModel());
        assertEquals("", request.getSampler());
    }

    @Test
    void emptyNegativePromptIsKeptDistinctFromNone() {
        assertTrue(parse("-p", "x", "-n", "").hasNegativePrompt());
    }

    @Test
    void recordValueIsProtobufJsonThatParsesBackToTheSameRequest() throws Exception {
        GenerationRequest request = parse("--job-id", "j1", "-p", "a cat", "--steps", "5", "--seed", "7", "-m", "tiny-sd");
        String json = GenerationJobClient.toJson(request);
        assertTrue(json.contains("\"jobId\": \"j1\""), json);
        assertTrue(json.contains("\"seed\": \"7\""), "int64 is a JSON string in protobuf JSON: " + json);
        GenerationRequest.Builder parsed = GenerationRequest.newBuilder();
        JsonFormat.parser().merge(json, parsed);
        assertEquals(request, parsed.build());
    }

    @Test
    void demoFillsPromptAndSeedOnlyWhenMissing() {
        GenerationRequest defaults = DemoCommand.withDemoDefaults(parse());
        assertEquals(DemoCommand.DEFAULT_PROMPT, defaults.getPrompt());
        assertEquals(42, defaults.getSeed());
        assertEquals(DemoCommand.DEFAULT_REFINER, defaults.getRefiner().getName());
        GenerationRequest own = DemoCommand.withDemoDefaults(parse("-p", "mine", "--seed", "3", "-m", "tiny-sd"));
        assertEquals("mine", own.getPrompt());
        assertEquals(3, own.getSeed());
        assertFalse(own.hasRefiner(), "another model gets no refiner it did not ask for");
    }
}
