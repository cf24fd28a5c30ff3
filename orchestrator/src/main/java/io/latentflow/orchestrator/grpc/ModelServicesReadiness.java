package io.latentflow.orchestrator.grpc;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The orchestrator is ready when the text encoder, denoiser and VAE answer gRPC's health check as serving: jobs
 * cannot run without them (they wait for them, see {@link ServiceClients}), so a balancer should not send work here.
 */
@Readiness
@ApplicationScoped
public class ModelServicesReadiness implements HealthCheck {

    private static final long CHECK_TIMEOUT_MS = 2000;

    @GrpcClient("textencoder")
    Channel textEncoder;

    @GrpcClient("denoiser")
    Channel denoiser;

    @GrpcClient("vae")
    Channel vae;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("model-services").up();
        for (Map.Entry<String, Channel> service : Map.of("text-encoder", textEncoder, "denoiser", denoiser,
                "vae", vae).entrySet()) {
            String status = status(service.getValue());
            response.withData(service.getKey(), status);
            if (!ServingStatus.SERVING.name().equals(status)) {
                response.down();
            }
        }
        return response.build();
    }

    private static String status(Channel channel) {
        try {
            // waits out a reconnect in progress, within the deadline
            return HealthGrpc.newBlockingStub(channel).withWaitForReady()
                    .withDeadlineAfter(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus().name();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode().name();
        }
    }
}
