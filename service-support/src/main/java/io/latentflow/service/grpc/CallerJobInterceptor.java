package io.latentflow.service.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.trace.Span;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * The generation job a call belongs to, when the caller sends {@code latentflow-job-id}: a {@code latentflow.job_id}
 * attribute on the call's server span, and {@link #callerJob()} for the service method.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallerJobInterceptor implements ServerInterceptor {

    /** gRPC metadata key carrying the generation job's id. */
    public static final Metadata.Key<String> JOB_ID =
            Metadata.Key.of("latentflow-job-id", Metadata.ASCII_STRING_MARSHALLER);

    /** Span attribute holding the job id. */
    public static final String JOB_ID_ATTRIBUTE = "latentflow.job_id";

    private static final Context.Key<String> CALLER_JOB = Context.key("latentflow.caller-job");

    /** The job id the current call carries; read it on the thread that calls the service method. */
    public static Optional<String> callerJob() {
        return Optional.ofNullable(CALLER_JOB.get());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String jobId = headers.get(JOB_ID);
        if (jobId == null || jobId.isBlank()) {
            return next.startCall(call, headers);
        }
        ServerCall.Listener<Q> listener =
                Contexts.interceptCall(Context.current().withValue(CALLER_JOB, jobId), call, headers, next);
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onHalfClose() {
                Span.current().setAttribute(JOB_ID_ATTRIBUTE, jobId);
                super.onHalfClose();
            }
        };
    }
}
