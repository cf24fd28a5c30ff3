package io.latentflow.orchestrator.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.retry.Backoff;
import io.latentflow.proto.DenoiserServiceGrpc;
import io.latentflow.proto.EncodeTextRequest;
import io.latentflow.proto.EncodeTextResponse;
import io.latentflow.proto.PredictRequest;
import io.latentflow.proto.PredictResponse;
import io.latentflow.proto.TextEncoderServiceGrpc;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainerServiceGrpc;
import io.latentflow.proto.VaeDecodeRequest;
import io.latentflow.proto.VaeDecodeResponse;
import io.latentflow.proto.VaeEncodeRequest;
import io.latentflow.proto.VaeEncodeResponse;
import io.latentflow.proto.VaeServiceGrpc;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Blocking calls into the text encoder, denoiser and VAE services, each carrying the job id as gRPC metadata
 * {@value #JOB_ID_HEADER} and the configured deadline. Calls wait for a service that is not reachable (restarting,
 * not started yet) until their deadline, and are retried by {@link ServiceCallRetries} when the connection fails under
 * them. Call from worker threads only.
 */
@ApplicationScoped
public class ServiceClients {

    /** gRPC metadata key carrying the job id on every call into a service. */
    public static final String JOB_ID_HEADER = "latentflow-job-id";

    private static final Metadata.Key<String> JOB_ID_KEY = Metadata.Key.of(JOB_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("textencoder")
    TextEncoderServiceGrpc.TextEncoderServiceBlockingStub textEncoder;

    @GrpcClient("denoiser")
    DenoiserServiceGrpc.DenoiserServiceBlockingStub denoiser;

    @GrpcClient("vae")
    VaeServiceGrpc.VaeServiceBlockingStub vae;

    @GrpcClient("denoiser")
    TrainerServiceGrpc.TrainerServiceBlockingStub denoiserTrainer;

    @GrpcClient("vae")
    TrainerServiceGrpc.TrainerServiceBlockingStub vaeTrainer;

    private final OrchestratorConfig config;

    @Inject
    ServiceClients(OrchestratorConfig config) {
        this.config = config;
    }

    public EncodeTextResponse encode(String jobId, EncodeTextRequest request) {
        return againWhenCut(() -> forJob(textEncoder, jobId).encode(request));
    }

    public PredictResponse predict(String jobId, PredictRequest request) {
        return againWhenCut(() -> forJob(denoiser, jobId).predict(request));
    }

    public VaeEncodeResponse encodeImages(String jobId, VaeEncodeRequest request) {
        return againWhenCut(() -> forJob(vae, jobId).encode(request));
    }

    public VaeDecodeResponse decode(String jobId, VaeDecodeRequest request) {
        return againWhenCut(() -> forJob(vae, jobId).decode(request));
    }

    /**
     * Calls again a call that failed UNAVAILABLE where gRPC's retry policy does not (the connection cut after the
     * service had begun to answer), with backoff, for as long as one call's deadline; every call here is idempotent.
     */
    private <T> T againWhenCut(Supplier<T> call) {
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(4), config.serviceCallTimeout());
        while (true) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || !backoff.withinDeadline()
                        || !backoff.await()) {
                    throw e;
                }
            }
        }
    }

    /**
     * Starts (or resumes) a training run on the service that trains its kind (the VAE service for vae runs, the
     * denoiser service otherwise) and returns its progress; no deadline, the run lasts as long as it lasts.
     */
    public Iterator<TrainProgress> train(TrainJob job) {
        TrainerServiceGrpc.TrainerServiceBlockingStub stub =
                "vae".equals(job.getRequest().getKind()) ? vaeTrainer : denoiserTrainer;
        Metadata headers = new Metadata();
        headers.put(JOB_ID_KEY, job.getRequest().getRunId());
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).train(job);
    }

    private <S extends AbstractStub<S>> S forJob(S stub, String jobId) {
        Metadata headers = new Metadata();
        headers.put(JOB_ID_KEY, jobId);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withWaitForReady()
                .withDeadlineAfter(config.serviceCallTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
}
