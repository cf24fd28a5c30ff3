package io.latentflow.orchestrator.job;

import io.latentflow.core.pipeline.LatentDiffusionPipeline;
import io.latentflow.orchestrator.grpc.RemoteDenoisers;
import io.latentflow.orchestrator.grpc.RemoteLatentCodec;
import io.latentflow.orchestrator.grpc.RemoteTextConditioner;
import io.latentflow.orchestrator.grpc.ServiceClients;
import io.latentflow.orchestrator.storage.ModelCatalog;
import io.latentflow.proto.ModelRef;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Core's pipeline over the services for one model of a job: its text conditioner, denoiser and latent codec speak
 * gRPC, each call in its span and timed under its stage.
 */
@ApplicationScoped
public class RemotePipelines {

    static final String TEXT_ENCODER = "text encoder";
    static final String DENOISER = "denoiser";
    static final String VAE = "VAE";

    private final ServiceClients clients;

    @Inject
    RemotePipelines(ServiceClients clients) {
        this.clients = clients;
    }

    /** Predict calls of one model, each in a span "denoise.step" (the gRPC client span nests under it). */
    RemoteDenoisers denoisers(JobStages stages, ModelCatalog.ModelInfo model) {
        return new RemoteDenoisers(request -> stages.call(stages.spanBuilder("denoise.step")
                .setAttribute("latentflow.timestep", request.getTimesteps(0)).startSpan(), DENOISER,
                () -> clients.predict(stages.jobId(), request)), modelRef(model));
    }

    /** The pipeline of {@code model} over the text encoder and VAE services and {@code denoisers}. */
    LatentDiffusionPipeline pipeline(JobStages stages, ModelCatalog.ModelInfo model, RemoteDenoisers denoisers) {
        ModelRef ref = modelRef(model);
        String jobId = stages.jobId();
        return new LatentDiffusionPipeline(model.traits(),
                new RemoteTextConditioner(request -> stages.call("text-encoder.encode", TEXT_ENCODER,
                        () -> clients.encode(jobId, request)), ref),
                denoisers,
                new RemoteLatentCodec(
                        request -> stages.call("vae.encode", VAE, () -> clients.encodeImages(jobId, request)),
                        request -> stages.call("vae.decode", VAE, () -> clients.decode(jobId, request)), ref),
                null);
    }

    private static ModelRef modelRef(ModelCatalog.ModelInfo model) {
        return ModelRef.newBuilder().setName(model.name()).setVersion(model.version()).build();
    }
}
