package io.latentflow.cli;

import io.latentflow.deploy.LatentflowService;
import io.latentflow.deploy.PrometheusText;
import io.latentflow.deploy.ServiceInstance;
import io.latentflow.deploy.ServiceLauncher;
import java.io.IOException;

/**
 * Where a sampling step's time goes between the orchestrator and the denoiser, read from their Prometheus metrics:
 * the UNet pass itself (the batcher's compute time), the denoiser's gRPC service around it (reading the call,
 * queueing, writing the answer), the wire and the orchestrator's client stub, and what remains of the step in the
 * orchestrator (sampler update, progress event, checkpoints).
 *
 * @param passes         UNet passes the denoisers ran
 * @param computeSeconds their compute time
 * @param serverSeconds  the Predict calls' time in the denoisers' gRPC services
 * @param clientSeconds  the Predict calls' time as the orchestrators' clients saw it
 */
record PassTimes(double passes, double computeSeconds, double serverSeconds, double clientSeconds) {

    static final String PREDICT = "method=\"Predict\"";

    /** The totals now, over every denoiser and orchestrator instance. */
    static PassTimes read(ServiceLauncher services) throws IOException, InterruptedException {
        double passes = 0;
        double compute = 0;
        double server = 0;
        double client = 0;
        for (ServiceInstance instance : services.instances()) {
            if (instance.service() == LatentflowService.DENOISER) {
                String text = services.metrics(instance);
                passes += PrometheusText.sum(text, "latentflow_denoiser_compute_seconds_count", "");
                compute += PrometheusText.sum(text, "latentflow_denoiser_compute_seconds_sum", "");
                server += PrometheusText.sum(text, "grpc_server_processing_duration_seconds_sum", PREDICT);
            } else if (instance.service() == LatentflowService.ORCHESTRATOR) {
                client += PrometheusText.sum(services.metrics(instance),
                        "grpc_client_processing_duration_seconds_sum", PREDICT);
            }
        }
        return new PassTimes(passes, compute, server, client);
    }

    /** The mean milliseconds of a UNet pass since {@code before} (NaN: none). */
    double computeMsPerPassSince(PassTimes before) {
        return 1e3 * (computeSeconds - before.computeSeconds) / (passes - before.passes);
    }

    /**
     * One line on the passes since {@code before}, given the sampling loop's milliseconds per step as the jobs
     * reported them (one Predict call per step: a single job's calls are never batched with another's).
     */
    String since(PassTimes before, double stepMs) {
        double n = passes - before.passes;
        if (n == 0) {
            return "no UNet pass measured";
        }
        double compute = 1e3 * (computeSeconds - before.computeSeconds) / n;
        double server = 1e3 * (serverSeconds - before.serverSeconds) / n;
        double client = 1e3 * (clientSeconds - before.clientSeconds) / n;
        return String.format("a step of %.1f ms: UNet pass %.1f ms, denoiser service around it %.1f ms, wire and"
                + " client %.1f ms, orchestrator (sampler, events, checkpoints) %.1f ms", stepMs, compute,
                server - compute, client - server, stepMs - client);
    }
}
