package io.latentflow.orchestrator.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.proto.GenerationRequest;
import org.junit.jupiter.api.Test;

class A1111RequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final A1111Requests requests = new A1111Requests();

    @Test
    void aClientsTxt2imgBodyWithDefaultsBecomesAJob() throws Exception {
        GenerationRequest job = requests.toJob(JSON.readTree("""
                {"prompt": "a cat", "negative_prompt": "", "steps": 20, "cfg_scale": 7, "width": 512,
                 "height": 768, "seed": 5, "sampler_name": "Euler a", "batch_size": 2, "n_iter": 3,
                 "restore_faces": false, "tiling": false, "enable_hr": false, "subseed": -1,
                 "subseed_strength": 0, "styles": [], "alwayson_scripts": {}, "s_noise": 1.0,
                 "override_settings": {"sd_model_checkpoint": "shapes/2"}, "save_images": false}"""), null, null);

        assertEquals("a cat", job.getPrompt());
        assertFalse(job.hasNegativePrompt(), "an empty negative prompt is none");
        assertEquals(20, job.getSteps());
        assertEquals(7f, job.getGuidanceScale());
        assertEquals(512, job.getWidth());
        assertEquals(768, job.getHeight());
        assertEquals(5, job.getSeed());
        assertEquals("euler-a", job.getSampler());
        assertEquals(6, job.getNumImages(), "batch_size x n_iter");
        assertEquals("shapes", job.getModel().getName());
        assertEquals("2", job.getModel().getVersion());
    }

    @Test
    void aBareBodyTakesAutomatic1111sDefaultsAndARandomSeed() throws Exception {
        GenerationRequest job = requests.toJob(JSON.readTree("{}"), null, null);
        assertEquals(A1111Requests.DEFAULT_STEPS, job.getSteps());
        assertEquals(512, job.getWidth());
        assertTrue(job.getSeed() >= 0);
        assertEquals("", job.getSampler(), "the model's own sampler");
    }

    @Test
    void karrasComesFromTheSamplerNameOrTheScheduler() throws Exception {
        assertTrue(requests.toJob(JSON.readTree("{\"sampler_name\": \"DPM++ 2M Karras\"}"), null, null).getKarras());
        GenerationRequest scheduled = requests.toJob(
                JSON.readTree("{\"sampler_name\": \"Euler\", \"scheduler\": \"Karras\"}"), null, null);
        assertEquals("euler", scheduled.getSampler());
        assertTrue(scheduled.getKarras());
        assertRefused("scheduler", "{\"sampler_name\": \"Euler a\", \"scheduler\": \"Karras\"}");
    }

    @Test
    void img2imgTakesTheStoredImagesAndTheDenoisingStrength() throws Exception {
        GenerationRequest job = requests.toJob(JSON.readTree("""
                {"init_images": ["..."], "mask": "...", "denoising_strength": 0.4, "mask_blur": 0,
                 "inpainting_fill": 1, "inpaint_full_res": false}"""), "inputs/a.png", "inputs/m.png");
        assertEquals("inputs/a.png", job.getInitImage());
        assertEquals("inputs/m.png", job.getMask());
        assertEquals(0.4f, job.getStrength());
        assertFalse(job.hasWidth(), "the init image's size");
    }

    @Test
    void featuresLatentFlowLacksAreRefusedByNameNotIgnored() {
        assertRefused("enable_hr", "{\"enable_hr\": true}");
        assertRefused("restore_faces", "{\"restore_faces\": true}");
        assertRefused("subseed_strength", "{\"subseed_strength\": 0.3}");
        assertRefused("styles", "{\"styles\": [\"cinematic\"]}");
        assertRefused("hr_upscalr", "{\"hr_upscalr\": \"x\"}");
        assertRefused("override_settings.CLIP_stop_at_last_layers",
                "{\"override_settings\": {\"CLIP_stop_at_last_layers\": 2}}");
        assertRefused("sampler_name", "{\"sampler_name\": \"Heun\"}");
        assertRefused("steps", "{\"steps\": \"many\"}");
        assertRefused("init_images", "{\"init_images\": [\"x\"]}");
        assertRefused("body", "[]");
    }

    private void assertRefused(String field, String body) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> requests.toJob(JSON.readTree(body), null, null));
        assertEquals(field, e.field(), e.reason());
    }
}
