package io.latentflow.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reading the step's parts from Prometheus expositions as the orchestrator and the denoiser write them. */
class PassTimesTest {

    private static final String EXPOSITION = String.join("\n",
            "# TYPE grpc_server_processing_duration_seconds summary",
            "grpc_server_processing_duration_seconds_sum{method=\"Predict\",methodType=\"UNARY\",statusCode=\"OK\"} 3.0",
            "grpc_server_processing_duration_seconds_sum{method=\"Encode\",methodType=\"UNARY\",statusCode=\"OK\"} 9.0",
            "grpc_client_processing_duration_seconds_sum{method=\"Predict\",statusCode=\"OK\"} 1.5 # {span_id=\"c3\"} 1.0 17.9",
            "grpc_client_processing_duration_seconds_sum{method=\"Predict\",statusCode=\"UNAVAILABLE\"} 0.25",
            "latentflow_denoiser_compute_seconds_count 120.0",
            "latentflow_denoiser_compute_seconds_countless 7.0");

    @Test
    void seriesAreSummedOverTheLabelsThatMatchAndExemplarsAreIgnored() {
        assertEquals(3.0, PassTimes.sum(EXPOSITION, "grpc_server_processing_duration_seconds_sum", PassTimes.PREDICT));
        assertEquals(1.75, PassTimes.sum(EXPOSITION, "grpc_client_processing_duration_seconds_sum", PassTimes.PREDICT));
        assertEquals(120.0, PassTimes.sum(EXPOSITION, "latentflow_denoiser_compute_seconds_count", ""));
        assertEquals(0.0, PassTimes.sum(EXPOSITION, "latentflow_denoiser_queue_seconds_count", ""));
    }

    @Test
    void aStepSplitsIntoThePassTheServiceAroundItTheWireAndTheOrchestrator() {
        PassTimes before = new PassTimes(100, 2.0, 2.5, 2.6);
        PassTimes after = new PassTimes(120, 2.5, 3.1, 3.3);
        // 20 passes: 25 ms compute, 30 ms in the service, 35 ms at the client; steps of 40 ms
        assertEquals("a step of 40.0 ms: UNet pass 25.0 ms, denoiser service around it 5.0 ms, wire and client"
                + " 5.0 ms, orchestrator (sampler, events, checkpoints) 5.0 ms", after.since(before, 40.0));
    }
}
