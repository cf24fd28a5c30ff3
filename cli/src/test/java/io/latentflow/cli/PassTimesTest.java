package io.latentflow.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A sampling step split into its parts from the orchestrator's and the denoisers' metrics. */
class PassTimesTest {

    @Test
    void aStepSplitsIntoThePassTheServiceAroundItTheWireAndTheOrchestrator() {
        PassTimes before = new PassTimes(100, 2.0, 2.5, 2.6);
        PassTimes after = new PassTimes(120, 2.5, 3.1, 3.3);
        // 20 passes: 25 ms compute, 30 ms in the service, 35 ms at the client; steps of 40 ms
        assertEquals("a step of 40.0 ms: UNet pass 25.0 ms, denoiser service around it 5.0 ms, wire and client"
                + " 5.0 ms, orchestrator (sampler, events, checkpoints) 5.0 ms", after.since(before, 40.0));
    }
}
