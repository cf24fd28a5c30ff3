package io.latentflow.orchestrator.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Admits a call to the public API (GenerationService, TrainingService) only with a client's key, given as metadata
 * {@code authorization: Bearer KEY} or {@code x-api-key: KEY}; any other call ends with UNAUTHENTICATED. The client
 * travels in the call's context ({@link #CLIENT}). gRPC health and reflection stay open.
 */
@ApplicationScoped
@GlobalInterceptor
public class ApiKeyInterceptor implements ServerInterceptor {

    /** The client a call was admitted for. */
    public static final Context.Key<ApiClients.Client> CLIENT = Context.key("latentflow-api-client");

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final String PUBLIC_API = "latentflow.";

    private final ApiClients clients;

    @Inject
    ApiKeyInterceptor(ApiClients clients) {
        this.clients = clients;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getFullMethodName().startsWith(PUBLIC_API)) {
            return next.startCall(call, headers);
        }
        Optional<ApiClients.Client> client = key(headers).flatMap(clients::find);
        if (client.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription("a valid API key is required: metadata"
                    + " 'authorization: Bearer KEY' or 'x-api-key: KEY'"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(CLIENT, client.get()), call, headers, next);
    }

    private static Optional<String> key(Metadata headers) {
        return ApiClients.presentedKey(headers.get(AUTHORIZATION), headers.get(API_KEY));
    }
}
