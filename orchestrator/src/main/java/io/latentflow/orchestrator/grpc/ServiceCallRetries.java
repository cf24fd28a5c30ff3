package io.latentflow.orchestrator.grpc;

import io.grpc.netty.NettyChannelBuilder;
import io.latentflow.proto.DenoiserServiceGrpc;
import io.latentflow.proto.TextEncoderServiceGrpc;
import io.latentflow.proto.VaeServiceGrpc;
import io.quarkus.grpc.api.ChannelBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcClientConfiguration;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * gRPC's own retry policy for the calls into the model services: a call that fails with UNAVAILABLE (the service
 * restarting, a connection cut mid-call) is sent again with exponential backoff. Every such call is idempotent
 * (encode, predict, encode/decode images). Together with wait-for-ready stubs ({@link ServiceClients}) a job waits
 * for a service that is down, up to the call deadline, instead of failing. Training streams are not retried here:
 * the training driver resumes them from their checkpoints. The clients must have {@code retry=true}
 * (application.properties): Quarkus disables gRPC retries otherwise.
 *
 * <p>A client that finds its replicas through SmallRye Stork would take its service config from the Stork name
 * resolver, which carries the load-balancing policy and no retry policy; such a channel gets both here, and ignores
 * the resolver's.
 */
@Singleton
public class ServiceCallRetries implements ChannelBuilderCustomizer<NettyChannelBuilder> {

    /** The services whose calls are retried, on whichever client channel reaches them. */
    private static final String STORK = "stork";

    private static final List<String> SERVICES = List.of(TextEncoderServiceGrpc.SERVICE_NAME,
            DenoiserServiceGrpc.SERVICE_NAME, VaeServiceGrpc.SERVICE_NAME);

    @Override
    public Map<String, Object> customize(String name, GrpcClientConfiguration config,
            NettyChannelBuilder builder) {
        // service config JSON as maps; gRPC wants JSON numbers as Double
        Map<String, Object> retryPolicy = Map.of(
                "maxAttempts", 5.0,
                "initialBackoff", "0.25s",
                "maxBackoff", "4s",
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        List<Map<String, Object>> names = SERVICES.stream().map(service -> Map.<String, Object>of("service", service))
                .toList();
        Map<String, Object> methodConfig = Map.of("methodConfig", List.of(Map.of("name", names,
                "retryPolicy", retryPolicy)));
        if (!STORK.equals(config.nameResolver())) {
            return methodConfig;
        }
        builder.disableServiceConfigLookUp();
        Map<String, Object> serviceConfig = new HashMap<>(methodConfig);
        serviceConfig.put("loadBalancingConfig", List.of(Map.of(STORK, Map.of("service-name", config.host()))));
        return serviceConfig;
    }
}
