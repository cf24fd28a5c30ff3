package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.pipeline.ExpertEnsemble;
import io.latentflow.core.pipeline.GenerationRequest;
import io.latentflow.core.pipeline.GenerationResult;
import io.latentflow.core.pipeline.InvalidGenerationException;
import io.latentflow.core.pipeline.LatentDiffusionPipeline;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.SamplerOptions;
import io.latentflow.core.sampling.Samplers;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.orchestrator.grpc.RemoteDenoisers;
import io.latentflow.orchestrator.grpc.RemoteLatentCodec;
import io.latentflow.orchestrator.grpc.RemoteTextConditioner;
import io.latentflow.orchestrator.grpc.ServiceClients;
import io.latentflow.orchestrator.messaging.EventPublisher;
import io.latentflow.orchestrator.storage.ModelCatalog;
import io.latentflow.orchestrator.storage.ModelNotFoundException;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.ImageResult;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Timings;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.jboss.logging.Logger;

/**
 * Runs one validated job end to end: resolves its models, records it, runs core's pipeline over the remote text
 * encoder, denoiser and VAE (with a refiner, the ensemble of experts of Balaji et al. 2022, "eDiff-I"), publishing
 * progress and checkpointing latents on the way, stores the PNG images and publishes the result.
 */
@ApplicationScoped
public class JobExecution {

    private static final Logger LOG = Logger.getLogger(JobExecution.class);
    private static final String TEXT_ENCODER = "text encoder";
    private static final String DENOISER = "denoiser";
    private static final String VAE = "VAE";

    @Inject
    ServiceClients clients;

    @Inject
    ObjectStore store;

    @Inject
    ModelCatalog catalog;

    @Inject
    EventPublisher events;

    @Inject
    JobTracker tracker;

    @Inject
    Tracer tracer;

    @Inject
    LatentsCheckpoints checkpoints;

    @Inject
    JobRecords records;

    /**
     * Runs the job up to its completed event, whose Kafka acknowledgement the result waits for; throws on failure
     * (the runner turns that into an event).
     */
    public CompletionStage<Void> run(JobSpec spec) {
        long startNanos = System.nanoTime();
        String jobId = spec.jobId();
        Optional<GenerationEvent> earlier = records.earlierCompletion(spec);
        if (earlier.isPresent()) {
            // delivered again (a restart, a rebalance, a resubmission): its result stands, no work is done again
            LOG.infof("job %s completed before; its recorded result stands", jobId);
            if (records.isPublished(jobId)) {
                tracker.onEvent(earlier.get());
                return CompletableFuture.completedFuture(null);
            }
            return publishCompletion(earlier.get());
        }
        JobStages stages = new JobStages(tracer, jobId);
        ModelCatalog.ModelInfo model = resolve(spec.modelName(), spec.modelVersion(), "model.name");
        BufferedImage initImage = spec.isImageToImage()
                ? stages.span("init-image.load", () -> loadImage(spec, "init_image", spec.initImage())) : null;
        BufferedImage maskImage = spec.isInpainting()
                ? stages.span("mask.load", () -> loadImage(spec, "mask", spec.mask())) : null;
        ModelCatalog.ModelInfo refiner = spec.hasRefiner()
                ? resolve(spec.refinerName(), spec.refinerVersion(), "refiner.name") : null;

        List<ImageResult> results = new ArrayList<>();
        long pipelineStart = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            GenerationRequest.Builder request = request(spec, initImage, maskImage, manager);
            RemoteDenoisers baseDenoisers = denoisers(stages, model);
            LatentDiffusionPipeline base = pipeline(stages, model, baseDenoisers);
            RemoteDenoisers refinerDenoisers = refiner == null ? null : denoisers(stages, refiner);
            ExpertEnsemble ensemble = refiner == null ? null
                    : checked(() -> new ExpertEnsemble(base, pipeline(stages, refiner, refinerDenoisers)));
            // every option checked against the model(s) before the job is accepted
            int totalSteps = checked(() -> ensemble == null ? base.plannedSteps(request.build())
                    : ensemble.plannedSteps(request.build(), spec.denoisingEnd()));

            stages.span("job.record", () -> {
                records.recordRequest(spec);
                return null;
            });
            events.publish(GenerationEvents.accepted(jobId));

            long[] latentShape = {spec.numImages(), model.latentChannels(),
                spec.heightPx() / model.vaeScaleFactor(), spec.widthPx() / model.vaeScaleFactor()};
            checkpoints.latest(jobId, totalSteps, latentShape, manager).ifPresent(found -> {
                // a redelivered job continues after its last checkpoint
                Span.current().setAttribute("latentflow.resumed_from_step", found.step());
                request.resume(found.step(), found.latents());
            });
            Cancellation cancellation = () -> tracker.shouldStop(jobId);
            Span span = stages.spanBuilder("pipeline")
                    .setAttribute("latentflow.steps", spec.steps())
                    .setAttribute("latentflow.sampler", spec.sampler().isEmpty()
                            ? Samplers.forSchedulerClass(model.traits().scheduler().className()) : spec.sampler())
                    .setAttribute("latentflow.model", ref(model))
                    .setAttribute("latentflow.refiner", refiner == null ? "" : ref(refiner))
                    .startSpan();
            GenerationResult result = checked(() -> stages.span(span, () -> {
                GenerationResult generated = ensemble == null
                        ? base.generate(request.build(), manager, progress(spec), cancellation)
                        : ensemble.generate(request.build(), spec.denoisingEnd(), manager, progress(spec),
                                cancellation);
                span.setAttribute("latentflow.conditioning_resends", baseDenoisers.resends()
                        + (refinerDenoisers == null ? 0 : refinerDenoisers.resends()));
                return generated;
            }));
            NDArray images = result.images();
            stages.span("images.store", () -> {
                for (int n = 0; n < spec.numImages(); n++) {
                    byte[] png = PngImages.encode(images, n);
                    String key = JobKeys.image(jobId, n);
                    store.put(key, png, "image/png");
                    results.add(ImageResult.newBuilder().setKey(key).setWidth(spec.widthPx())
                            .setHeight(spec.heightPx()).setSizeBytes(png.length).setSeed(spec.imageSeed(n)).build());
                }
                return null;
            });
        }
        long textEncoderMs = stages.millis(TEXT_ENCODER);
        long vaeMs = stages.millis(VAE);
        Timings timings = Timings.newBuilder()
                .setTextEncoderMs(textEncoderMs)
                .setDenoiseMs(millisSince(pipelineStart) - textEncoderMs - vaeMs)
                .setVaeMs(vaeMs)
                .setTotalMs(millisSince(startNanos))
                .build();
        GenerationEvent completed = GenerationEvents.completed(jobId, results, spec.seed(), timings);
        records.recordCompletion(completed);
        return publishCompletion(completed);
    }

    private CompletionStage<Void> publishCompletion(GenerationEvent completed) {
        return events.publish(completed).thenRun(() -> records.markPublished(completed.getJobId()));
    }

    /** Runs {@code body}; an option the pipeline refuses for this model is reported on the job's field of it. */
    private static <T> T checked(Supplier<T> body) {
        try {
            return body.get();
        } catch (InvalidGenerationException e) {
            throw new InvalidRequestException(e.field(), e.reason());
        }
    }

    /** The core request of a job: its prompts, seeds, sampler, guidance, start image and mask. */
    private static GenerationRequest.Builder request(JobSpec spec,
            BufferedImage initImage, BufferedImage maskImage, NDManager manager) {
        long[] seeds = new long[spec.numImages()];
        for (int n = 0; n < seeds.length; n++) {
            seeds[n] = spec.imageSeed(n);
        }
        GenerationRequest.Builder request = GenerationRequest.builder(spec.prompt())
                .negativePrompt(spec.negativePrompt())
                .size(spec.widthPx(), spec.heightPx())
                .steps(spec.steps())
                .sampler(spec.sampler().isEmpty() ? null : spec.sampler())
                .samplerOptions(new SamplerOptions(spec.eta(), spec.karras() ? Boolean.TRUE : null))
                .guidance(spec.guidanceScale())
                .guidanceRescale(spec.guidanceRescale())
                .seeds(seeds);
        if (initImage != null) {
            request.initImage(ImageTensors.toTensor(initImage, manager), spec.strength());
        }
        if (maskImage != null) {
            request.mask(ImageTensors.maskToTensor(maskImage, manager));
        }
        return request;
    }

    /** Core's pipeline over the services for one model, every call in its span and timed under its stage. */
    private LatentDiffusionPipeline pipeline(JobStages stages, ModelCatalog.ModelInfo model,
            RemoteDenoisers denoisers) {
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

    /** Predict calls of one model, each in a span "denoise.step" (the gRPC client span nests under it). */
    private RemoteDenoisers denoisers(JobStages stages, ModelCatalog.ModelInfo model) {
        return new RemoteDenoisers(request -> stages.call(stages.spanBuilder("denoise.step")
                .setAttribute("latentflow.timestep", request.getTimesteps(0)).startSpan(), DENOISER,
                () -> clients.predict(stages.jobId(), request)), modelRef(model));
    }

    /**
     * Progress events of every step, and a latents checkpoint when one is due or the job is about to stop (a shutdown
     * hands the job over at the step where it was).
     */
    private StepListener progress(JobSpec spec) {
        return (index, total, timestep, latents, predOriginalSample) -> {
            int step = index + 1;
            boolean save = checkpoints.due(step, total) || tracker.shouldStop(spec.jobId()) && step < total;
            String latentsKey = save ? checkpoints.save(spec.jobId(), step, latents) : "";
            events.publish(GenerationEvents.progress(spec.jobId(), step, total, latentsKey));
        };
    }

    private ModelCatalog.ModelInfo resolve(String name, String version, String field) {
        try {
            return catalog.resolve(name, version);
        } catch (ModelNotFoundException e) {
            throw new InvalidRequestException(field, e.getMessage());
        }
    }

    /** The image under {@code key} (request field {@code field}), which must have the job's size. */
    private BufferedImage loadImage(JobSpec spec, String field, String key) {
        byte[] bytes = store.get(key).orElseThrow(() -> new InvalidRequestException(field,
                "no object '" + key + "' in bucket " + store.bucket()));
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new InvalidRequestException(field, "'" + key + "' cannot be read: " + e);
        }
        if (image == null) {
            throw new InvalidRequestException(field, "'" + key + "' is not a PNG or JPEG image");
        }
        if (image.getWidth() != spec.widthPx() || image.getHeight() != spec.heightPx()) {
            throw new InvalidRequestException(field, "'" + key + "' is " + image.getWidth() + "x"
                    + image.getHeight() + " pixels but the job asks for " + spec.widthPx() + "x" + spec.heightPx()
                    + "; give width and height matching the image");
        }
        return image;
    }

    private static ModelRef modelRef(ModelCatalog.ModelInfo model) {
        return ModelRef.newBuilder().setName(model.name()).setVersion(model.version()).build();
    }

    private static String ref(ModelCatalog.ModelInfo model) {
        return model.name() + "/" + model.version();
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
