package io.latentflow.service.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.trace.Span;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/** Tags the server span of a call with {@code latentflow.job_id} when the caller sends {@code latentflow-job-id}. */
@GlobalInterceptor
@ApplicationScoped
public class JobIdSpanInterceptor implements ServerInterceptor {

    /** gRPC metadata key carrying the generation job's id. */
    public static final Metadata.Key<String> JOB_ID =
            Metadata.Key.of("latentflow-job-id", Metadata.ASCII_STRING_MARSHALLER);

    /** Span attribute holding the job id. */
    public static final String JOB_ID_ATTRIBUTE = "latentflow.job_id";

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String jobId = headers.get(JOB_ID);
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        if (jobId == null || jobId.isBlank()) {
            return listener;
        }
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onHalfClose() {
                Span.current().setAttribute(JOB_ID_ATTRIBUTE, jobId);
                super.onHalfClose();
            }
        };
    }
}
