package io.latentflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Series read from expositions as the services write them, exemplars included. */
class PrometheusTextTest {

    private static final String EXPOSITION = String.join("\n",
            "# TYPE grpc_server_processing_duration_seconds summary",
            "grpc_server_processing_duration_seconds_sum{method=\"Predict\",methodType=\"UNARY\",statusCode=\"OK\"} 3.0",
            "grpc_server_processing_duration_seconds_sum{method=\"Encode\",methodType=\"UNARY\",statusCode=\"OK\"} 9.0",
            "grpc_client_processing_duration_seconds_sum{method=\"Predict\",statusCode=\"OK\"} 1.5 # {span_id=\"c3\"} 1.0 17.9",
            "grpc_client_processing_duration_seconds_sum{method=\"Predict\",statusCode=\"UNAVAILABLE\"} 0.25",
            "latentflow_denoiser_batch_samples_count 42.0 # {span_id=\"d1\",trace_id=\"7f\"} 2.0 1.79624774663E9",
            "latentflow_denoiser_compute_seconds_count 120.0",
            "latentflow_denoiser_compute_seconds_countless 7.0");

    @Test
    void seriesAreSummedOverTheLabelsThatMatchAndExemplarsAreIgnored() {
        String predict = "method=\"Predict\"";
        assertEquals(3.0, PrometheusText.sum(EXPOSITION, "grpc_server_processing_duration_seconds_sum", predict));
        assertEquals(1.75, PrometheusText.sum(EXPOSITION, "grpc_client_processing_duration_seconds_sum", predict));
        assertEquals(42.0, PrometheusText.sum(EXPOSITION, "latentflow_denoiser_batch_samples_count", ""));
        assertEquals(120.0, PrometheusText.sum(EXPOSITION, "latentflow_denoiser_compute_seconds_count", ""));
        assertEquals(0.0, PrometheusText.sum(EXPOSITION, "latentflow_denoiser_queue_seconds_count", ""));
    }
}
