package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobKeysTest {

    @Test
    void namesTheObjectsOfAJob() {
        assertEquals("jobs/j1/job.json", JobKeys.request("j1"));
        assertEquals("jobs/j1/images/2.png", JobKeys.image("j1", 2));
        assertEquals("jobs/j1/latents/step-20.safetensors", JobKeys.latents("j1", 20));
        assertEquals("jobs/j1/latents/", JobKeys.latentsPrefix("j1"));
    }

    @Test
    void readsTheStepOfTheJobsOwnCheckpointsOnly() {
        assertEquals(Optional.of(20), JobKeys.latentsStep("j1", JobKeys.latents("j1", 20)));
        assertEquals(Optional.empty(), JobKeys.latentsStep("j1", JobKeys.latents("j2", 20)));
        assertEquals(Optional.empty(), JobKeys.latentsStep("j1", "jobs/j1/latents/step-x.safetensors"));
        assertEquals(Optional.empty(), JobKeys.latentsStep("j1", "jobs/j1/images/0.png"));
    }

    @Test
    void findsTheJobAKeyBelongsTo() {
        assertEquals(Optional.of("j1"), JobKeys.jobOf(JobKeys.image("j1", 0)));
        assertEquals(Optional.of("j-2.b"), JobKeys.jobOf(JobKeys.preview("j-2.b", 4)));
        assertEquals(Optional.empty(), JobKeys.jobOf("jobs/a.png"));
        assertEquals(Optional.empty(), JobKeys.jobOf("training/run-1/samples/12/0.png"));
    }
}
