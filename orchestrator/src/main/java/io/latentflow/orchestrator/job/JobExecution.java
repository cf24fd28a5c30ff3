package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.pipeline.ExpertEnsemble;
import io.latentflow.core.pipeline.GenerationRequest;
import io.latentflow.core.pipeline.GenerationResult;
import io.latentflow.core.pipeline.InvalidGenerationException;
import io.latentflow.core.pipeline.LatentDiffusionPipeline;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.orchestrator.grpc.RemoteDenoisers;
import io.latentflow.orchestrator.messaging.EventPublisher;
import io.latentflow.orchestrator.storage.ModelCatalog;
import io.latentflow.orchestrator.storage.ModelNotFoundException;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.ImageResult;
import io.latentflow.proto.Timings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one validated job end to end: resolves its models, records it, runs core's pipeline over the remote text
 * encoder, denoiser and VAE (with a refiner, the ensemble of experts of Balaji et al. 2022, "eDiff-I"), publishing
 * progress and checkpointing latents on the way, stores the PNG images and publishes the result.
 */
@ApplicationScoped
public class JobExecution {

    private static final Logger LOG = Logger.getLogger(JobExecution.class);

    private final RemotePipelines remote;
    private final JobImages images;
    private final ObjectStore store;
    private final ModelCatalog catalog;
    private final EventPublisher events;
    private final JobTracker tracker;
    private final Tracer tracer;
    private final LatentsCheckpoints checkpoints;
    private final JobRecords records;
    private final RequestLimits limits;
    private final CancelRequests cancels;
    private final Counter steps;

    @Inject
    JobExecution(RemotePipelines remote, JobImages images, ObjectStore store, ModelCatalog catalog,
            EventPublisher events, JobTracker tracker, Tracer tracer, LatentsCheckpoints checkpoints,
            JobRecords records, RequestLimits limits, CancelRequests cancels, MeterRegistry meters) {
        this.remote = remote;
        this.images = images;
        this.store = store;
        this.catalog = catalog;
        this.events = events;
        this.tracker = tracker;
        this.tracer = tracer;
        this.checkpoints = checkpoints;
        this.records = records;
        this.limits = limits;
        this.cancels = cancels;
        this.steps = Counter.builder("latentflow.orchestrator.steps")
                .description("sampling steps finished on this orchestrator").register(meters);
    }

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
                ? stages.span("init-image.load", () -> images.load("init_image", spec.initImage())) : null;
        BufferedImage maskImage = spec.isInpainting()
                ? stages.span("mask.load", () -> images.load("mask", spec.mask())) : null;
        ModelCatalog.ModelInfo refiner = spec.hasRefiner()
                ? resolve(spec.refinerName(), spec.refinerVersion(), "refiner.name") : null;

        List<ImageResult> results = new ArrayList<>();
        long pipelineStart = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            GenerationRequest.Builder request = spec.toCoreRequest(initImage, maskImage, manager);
            RemoteDenoisers baseDenoisers = remote.denoisers(stages, model);
            LatentDiffusionPipeline base = remote.pipeline(stages, model, baseDenoisers);
            RemoteDenoisers refinerDenoisers = refiner == null ? null : remote.denoisers(stages, refiner);
            ExpertEnsemble ensemble = refiner == null ? null
                    : checked(() -> new ExpertEnsemble(base, remote.pipeline(stages, refiner, refinerDenoisers)));
            // every option checked against the model(s) before the job is accepted
            int totalSteps = checked(() -> ensemble == null ? base.plannedSteps(request.build())
                    : ensemble.plannedSteps(request.build(), spec.denoisingEnd()));
            long[] latentShape = base.plannedLatentShape(request.build());
            int factor = model.vaeScaleFactor();
            limits.checkCost(latentShape[3] * factor, latentShape[2] * factor, totalSteps, spec.numImages());

            String requestedSampler = spec.sampler().isEmpty() ? null : spec.sampler();
            String sampler = model.traits().samplerName(requestedSampler);
            String samplerShown = model.traits().samplerDisplayName(requestedSampler, spec.karras() ? true : null);
            OrderedEvents lane = new OrderedEvents(events::publish);
            GenerationResult result = lane.around(() -> {
                // the record is written while the job goes on; the accepted event follows once it is stored
                lane.publishWhenStored(stages.span("job.record", records.recordRequest(spec)),
                        stored -> GenerationEvents.accepted(jobId));
                checkpoints.latest(jobId, totalSteps, latentShape, manager).ifPresent(found -> {
                    // a redelivered job continues after its last checkpoint
                    Span.current().setAttribute("latentflow.resumed_from_step", found.step());
                    request.resume(found.step(), found.latents(), found.memory());
                });
                Cancellation cancellation = () -> {
                    cancels.poll(jobId);
                    return tracker.shouldStop(jobId);
                };
                Span span = stages.spanBuilder("pipeline")
                        .setAttribute("latentflow.steps", spec.steps())
                        .setAttribute("latentflow.sampler", sampler)
                        .setAttribute("latentflow.model", ref(model))
                        .setAttribute("latentflow.refiner", refiner == null ? "" : ref(refiner))
                        .startSpan();
                JobProgress progress = new JobProgress(jobId, checkpoints, tracker, lane, steps,
                        spec.previewEverySteps(), (step, x0) -> stages.span("preview", () -> {
                            String key = JobKeys.preview(jobId, step);
                            store.put(key, PngImages.encode(base.decodeImages(x0.get("0:1")), 0), "image/png");
                            return key;
                        }));
                return checked(() -> stages.span(span, () -> {
                    GenerationResult generated = ensemble == null
                            ? base.generate(request.build(), manager, progress, cancellation)
                            : ensemble.generate(request.build(), spec.denoisingEnd(), manager, progress,
                                    cancellation);
                    span.setAttribute("latentflow.conditioning_resends", baseDenoisers.resends()
                            + (refinerDenoisers == null ? 0 : refinerDenoisers.resends()));
                    return generated;
                }));
            });
            NDArray pixels = result.images();
            stages.span("images.store", () -> {
                int width = (int) pixels.getShape().get(3);
                int height = (int) pixels.getShape().get(2);
                for (int n = 0; n < spec.numImages(); n++) {
                    byte[] png = PngImages.encode(pixels, n,
                            spec.imageParameters(n, samplerShown, width, height));
                    String key = JobKeys.image(jobId, n);
                    store.put(key, png, "image/png");
                    results.add(ImageResult.newBuilder().setKey(key).setWidth(width).setHeight(height)
                            .setSizeBytes(png.length)
                            .setSeed(spec.imageSeed(n)).build());
                }
                return null;
            });
        }
        long textEncoderMs = stages.millis(RemotePipelines.TEXT_ENCODER);
        long vaeMs = stages.millis(RemotePipelines.VAE);
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
        // off the Kafka producer's thread: the write may wait out an S3 outage, and every event goes through it
        return events.publish(completed).thenRunAsync(() -> records.markPublished(completed.getJobId()));
    }

    /** Runs {@code body}; an option the pipeline refuses for this model is reported on the job's field of it. */
    private static <T> T checked(Supplier<T> body) {
        try {
            return body.get();
        } catch (InvalidGenerationException e) {
            throw new InvalidRequestException(e.field(), e.reason());
        }
    }

    private ModelCatalog.ModelInfo resolve(String name, String version, String field) {
        try {
            return catalog.resolve(name, version);
        } catch (ModelNotFoundException e) {
            throw new InvalidRequestException(field, e.getMessage());
        }
    }

    private static String ref(ModelCatalog.ModelInfo model) {
        return model.name() + "/" + model.version();
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
