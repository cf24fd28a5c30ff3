package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.Denoiser;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.Sampler;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.grpc.RemoteDenoiser;
import io.latentflow.orchestrator.grpc.ServiceClients;
import io.latentflow.orchestrator.grpc.WireTensors;
import io.latentflow.orchestrator.messaging.EventPublisher;
import io.latentflow.orchestrator.storage.ModelCatalog;
import io.latentflow.orchestrator.storage.ModelNotFoundException;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.EncodeTextRequest;
import io.latentflow.proto.EncodeTextResponse;
import io.latentflow.proto.ImageResult;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.Timings;
import io.latentflow.proto.VaeDecodeRequest;
import io.latentflow.proto.VaeDecodeResponse;
import io.latentflow.proto.VaeEncodeRequest;
import io.latentflow.proto.VaeEncodeResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.jboss.logging.Logger;

/**
 * Runs one validated job end to end: records it, encodes the prompts, runs the sampler over the remote denoiser,
 * decodes the latents and stores the PNG images, publishing accepted, progress and completed events on the way.
 * With a refiner the schedule is split between two expert models (ensemble of experts, Balaji et al. 2022,
 * "eDiff-I"), the steps numbered across both. Every stage is a span carrying {@value JobRunner#JOB_ID_ATTRIBUTE}.
 */
@ApplicationScoped
public class JobExecution {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
    private static final Logger LOG = Logger.getLogger(JobExecution.class);

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
    OrchestratorConfig config;

    /**
     * Runs the job up to its completed event, whose Kafka acknowledgement the result waits for; throws on failure
     * (the runner turns that into an event).
     */
    public CompletionStage<Void> run(JobSpec spec) {
        long startNanos = System.nanoTime();
        String jobId = spec.jobId();
        ModelCatalog.ModelInfo model;
        try {
            model = catalog.resolve(spec.modelName(), spec.modelVersion());
        } catch (ModelNotFoundException e) {
            throw new InvalidRequestException("model.name", e.getMessage());
        }
        Sampler sampler = SamplerChoice.create(spec, model.scheduler());
        Schedule schedule = SamplerChoice.schedule(sampler, spec.steps());
        BufferedImage initImage = null;
        if (spec.isImageToImage()) {
            schedule = SamplerChoice.forStrength(schedule, spec);
            initImage = inSpan(spec, "init-image.load", () -> loadImage(spec, "init_image", spec.initImage()));
        }
        BufferedImage maskImage = null;
        if (spec.isInpainting()) {
            if (model.unetInChannels() != model.latentChannels()) {
                throw new InvalidRequestException("mask", "model " + model.name() + "/" + model.version()
                        + " has a " + model.unetInChannels() + "-channel inpainting UNet, whose mask channels the"
                        + " denoiser service does not take; use a model with a " + model.latentChannels()
                        + "-channel UNet");
            }
            maskImage = inSpan(spec, "mask.load", () -> loadImage(spec, "mask", spec.mask()));
        }
        ModelRef modelRef = ModelRef.newBuilder().setName(model.name()).setVersion(model.version()).build();
        ModelCatalog.ModelInfo refiner = spec.hasRefiner() ? refiner(spec, model) : null;
        ModelRef refinerRef = refiner == null ? null
                : ModelRef.newBuilder().setName(refiner.name()).setVersion(refiner.version()).build();
        ModelRef decoderRef = refinerRef == null ? modelRef : refinerRef;

        inSpan(spec, "job.record", () -> {
            store.put(JobKeys.request(jobId), print(spec.toRequest()).getBytes(StandardCharsets.UTF_8),
                    "application/json");
            return null;
        });
        events.publish(GenerationEvents.accepted(jobId));

        long encodeStart = System.nanoTime();
        Prompts prompts = encodePrompts(spec, model, modelRef);
        Prompts refinerPrompts = refinerRef == null ? null : encodePrompts(spec, refiner, refinerRef);
        long textEncoderMs = millisSince(encodeStart);

        Span denoise = tracer.spanBuilder("denoise").setAttribute(JobRunner.JOB_ID_ATTRIBUTE, jobId)
                .setAttribute("latentflow.steps", spec.steps())
                .setAttribute("latentflow.sampler", spec.sampler())
                .startSpan();
        long denoiseStart = System.nanoTime();
        List<ImageResult> results = new ArrayList<>();
        long vaeMs;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray latents;
            try (Scope ignored = denoise.makeCurrent()) {
                RemoteDenoiser remote = remoteDenoiser(spec, modelRef, prompts);
                List<Expert> experts;
                RemoteDenoiser refinerRemote = null;
                if (refinerRef == null) {
                    experts = List.of(new Expert(tracedSteps(spec, remote), schedule));
                } else {
                    refinerRemote = remoteDenoiser(spec, refinerRef, refinerPrompts);
                    experts = List.of(new Expert(tracedSteps(spec, remote), schedule.until(spec.denoisingEnd())),
                            new Expert(tracedSteps(spec, refinerRemote), schedule.from(spec.denoisingEnd())));
                    denoise.setAttribute("latentflow.refiner", refinerRef.getName() + "/" + refinerRef.getVersion());
                }
                latents = sample(spec, model, modelRef, sampler, schedule, initImage, maskImage, experts, manager);
                denoise.setAttribute("latentflow.conditioning_resends",
                        remote.resends() + (refinerRemote == null ? 0 : refinerRemote.resends()));
            } finally {
                denoise.end();
            }
            long vaeStart = System.nanoTime();
            VaeDecodeResponse decoded = inSpan(spec, "vae.decode", () -> stage("VAE",
                    () -> clients.decode(jobId, VaeDecodeRequest.newBuilder()
                            .setModel(decoderRef).setLatents(Tensors.toProto(latents)).build())));
            vaeMs = millisSince(vaeStart);
            Tensor pixels = WireTensors.checked(decoded.getImages(), "VAE images");
            NDArray images = Tensors.toNDArray(pixels, manager);
            int heightPx = Math.toIntExact(pixels.getShape(2));
            int widthPx = Math.toIntExact(pixels.getShape(3));
            inSpan(spec, "images.store", () -> {
                for (int n = 0; n < spec.numImages(); n++) {
                    byte[] png = PngImages.encode(images, n);
                    String key = JobKeys.image(jobId, n);
                    store.put(key, png, "image/png");
                    results.add(ImageResult.newBuilder().setKey(key).setWidth(widthPx).setHeight(heightPx)
                            .setSizeBytes(png.length).setSeed(spec.imageSeed(n)).build());
                }
                return null;
            });
        }
        long denoiseMs = millisSince(denoiseStart) - vaeMs;
        Timings timings = Timings.newBuilder()
                .setTextEncoderMs(textEncoderMs)
                .setDenoiseMs(denoiseMs)
                .setVaeMs(vaeMs)
                .setTotalMs(millisSince(startNanos))
                .build();
        return events.publish(GenerationEvents.completed(jobId, results, spec.seed(), timings));
    }

    /**
     * The refiner of {@code spec}, which must exist and share the base's latent space; throws
     * {@link InvalidRequestException} on field {@code refiner.name} or {@code refiner} otherwise.
     */
    private ModelCatalog.ModelInfo refiner(JobSpec spec, ModelCatalog.ModelInfo base) {
        ModelCatalog.ModelInfo refiner;
        try {
            refiner = catalog.resolve(spec.refinerName(), spec.refinerVersion());
        } catch (ModelNotFoundException e) {
            throw new InvalidRequestException("refiner.name", e.getMessage());
        }
        if (refiner.latentChannels() != base.latentChannels() || refiner.vaeScaleFactor() != base.vaeScaleFactor()) {
            throw new InvalidRequestException("refiner", "refiner " + refiner.name() + "/" + refiner.version()
                    + " has " + refiner.latentChannels() + "-channel latents at 1/" + refiner.vaeScaleFactor()
                    + " scale but base " + base.name() + "/" + base.version() + " has " + base.latentChannels()
                    + "-channel latents at 1/" + base.vaeScaleFactor() + "; the refiner must continue the base's"
                    + " latents");
        }
        if (refiner.unetInChannels() != refiner.latentChannels()) {
            throw new InvalidRequestException("refiner", "refiner " + refiner.name() + "/" + refiner.version()
                    + " has a " + refiner.unetInChannels() + "-channel inpainting UNet; use a text-to-image model");
        }
        return refiner;
    }

    /**
     * What a model is conditioned on: encoder hidden states of the prompt and, under guidance, of the negative prompt,
     * (B, L, D) each; for SDXL UNets also their pooled embeddings (B, P) and the time ids (B, 6), else null.
     */
    private record Prompts(Tensor cond, Tensor uncond, Tensor condTextEmbeds, Tensor uncondTextEmbeds,
            Tensor timeIds) {
    }

    /** The job's prompts through the text encoder of {@code modelRef}, repeated for every image of the batch. */
    private Prompts encodePrompts(JobSpec spec, ModelCatalog.ModelInfo model, ModelRef modelRef) {
        EncodeTextResponse encoded = inSpan(spec, "text-encoder.encode", () -> stage("text encoder",
                () -> clients.encode(spec.jobId(), encodeRequest(spec, modelRef))));
        Tensor hidden = WireTensors.checked(encoded.getHiddenStates(), "text encoder hidden states");
        Tensor cond = WireTensors.repeat(WireTensors.item(hidden, 0), spec.numImages());
        Tensor uncond = spec.usesGuidance() ? WireTensors.repeat(WireTensors.item(hidden, 1), spec.numImages()) : null;
        if (!model.textTimeConditioning()) {
            return new Prompts(cond, uncond, null, null, null);
        }
        if (!encoded.hasPooled()) {
            throw new StageFailedException("text encoder", new IllegalStateException("model " + modelRef.getName()
                    + "/" + modelRef.getVersion() + " has a text_time UNet but its text encoder returned no pooled"
                    + " embedding"));
        }
        Tensor pooled = WireTensors.checked(encoded.getPooled(), "text encoder pooled embedding");
        Tensor condTextEmbeds = WireTensors.repeat(WireTensors.item(pooled, 0), spec.numImages());
        Tensor uncondTextEmbeds = spec.usesGuidance()
                ? WireTensors.repeat(WireTensors.item(pooled, 1), spec.numImages()) : null;
        return new Prompts(cond, uncond, condTextEmbeds, uncondTextEmbeds,
                SdxlTimeIds.of(spec.heightPx(), spec.widthPx(), spec.numImages()));
    }

    private RemoteDenoiser remoteDenoiser(JobSpec spec, ModelRef modelRef, Prompts prompts) {
        return new RemoteDenoiser(request -> clients.predict(spec.jobId(), request), modelRef, prompts.cond(),
                prompts.uncond(), spec.guidanceScale(), spec.guidanceRescale(), prompts.condTextEmbeds(),
                prompts.uncondTextEmbeds(), prompts.timeIds());
    }

    /** One expert of the run: the denoiser of its model and the window of the job's schedule it runs. */
    private record Expert(Denoiser denoiser, Schedule window) {
    }

    /**
     * Runs the experts in order over one latents tensor and one noise stream; each runs its window of the schedule
     * (the part after a resumed checkpoint), progress numbered 1..N across all of them.
     */
    private NDArray sample(JobSpec spec, ModelCatalog.ModelInfo model, ModelRef modelRef, Sampler sampler,
            Schedule schedule, BufferedImage initImage, BufferedImage maskImage, List<Expert> experts,
            NDManager manager) {
        long[] seeds = new long[spec.numImages()];
        for (int n = 0; n < seeds.length; n++) {
            seeds[n] = spec.imageSeed(n);
        }
        NoiseSource noise = NoiseSource.seeded(seeds);
        // latents: (B, C, H/f, W/f)
        Shape shape = new Shape(spec.numImages(), model.latentChannels(),
                spec.heightPx() / model.vaeScaleFactor(), spec.widthPx() / model.vaeScaleFactor());
        Start start;
        if (initImage == null) {
            // text-to-image: x_T ~ N(0, initNoiseSigma^2)
            start = new Start(noise.next(shape, manager).mul(schedule.initNoiseSigma()), null);
        } else if (maskImage == null) {
            start = new Start(noisedImageLatents(spec, modelRef, sampler, schedule, initImage, noise, shape, manager),
                    null);
        } else {
            start = inpaintingStart(spec, model, modelRef, sampler, schedule, initImage, maskImage, noise, shape,
                    manager);
        }
        Cancellation cancellation = () -> tracker.shouldStop(spec.jobId());
        int totalSteps = schedule.steps();
        Optional<Checkpoint> checkpoint = latestCheckpoint(spec, totalSteps);
        Optional<NDArray> resumed = checkpoint.flatMap(found -> loadCheckpoint(found, shape, manager));
        int done = resumed.isPresent() ? checkpoint.get().step() : 0;
        NDArray latents = resumed.orElse(start.latents());
        if (resumed.isPresent()) {
            // a redelivered job continues after its last checkpoint: steps [done, total) of the same schedule
            Span.current().setAttribute("latentflow.resumed_from_step", done);
        }
        int resumeIndex = schedule.beginIndex() + done;
        NDArray x = latents;
        for (Expert expert : experts) {
            Schedule window = expert.window();
            int begin = Math.max(window.beginIndex(), resumeIndex);
            if (begin >= window.endIndex()) {
                continue;
            }
            Schedule run = window.window(begin, window.endIndex());
            int offset = begin - schedule.beginIndex();
            NDArray from = x;
            x = stage("denoiser", () -> sampler.sample(expert.denoiser(), from, run, noise,
                    progress(spec, offset, totalSteps), cancellation, start.blend()));
        }
        return x;
    }

    /** The latents a run starts from, and for inpainting the blend that keeps the known region after each step. */
    private record Start(NDArray latents, Sampler.StepBlend blend) {
    }

    /**
     * Inpainting with a 4-channel UNet (the known region blended back after every step, as in diffusers'
     * StableDiffusionInpaintPipeline for such UNets): x0 = VAE latents of the image, the start is x_T (strength 1) or
     * x0 noised to the window's first timestep; after step i the latents become
     * keep * q_sample(x0, eps, t_{i+1}) + mask * x (x0 itself after the last step), mask at latent resolution.
     * Noise draws follow the in-process pipeline: image posterior, starting noise, masked-image posterior.
     */
    private Start inpaintingStart(JobSpec spec, ModelCatalog.ModelInfo model, ModelRef modelRef, Sampler sampler,
            Schedule schedule, BufferedImage initImage, BufferedImage maskImage, NoiseSource noise, Shape shape,
            NDManager manager) {
        int batch = spec.numImages();
        // image: (B, 3, H, W) in [-1, 1]; mask: (B, 1, H, W) in {0, 1}, 1 = repaint
        NDArray image = ImageTensors.toTensor(initImage, manager)
                .broadcast(new Shape(batch, 3, spec.heightPx(), spec.widthPx()));
        NDArray mask = ImageTensors.maskToTensor(maskImage, manager)
                .broadcast(new Shape(batch, 1, spec.heightPx(), spec.widthPx()));
        NDArray imageLatents = encodeImages(spec, modelRef, image, noise.next(shape, manager), manager);
        NDArray eps = noise.next(shape, manager);
        NDArray latents = spec.strength() == 1f
                ? eps.mul(schedule.initNoiseSigma())
                : sampler.addNoise(imageLatents, eps, schedule, schedule.beginIndex());
        // the masked-image posterior draw: a 4-channel UNet does not use the masked image, the draw keeps the order
        noise.next(shape, manager);
        // nearest downsampling by the VAE factor f (sizes are multiples of f): pixel (f i, f j) of the mask
        int f = model.vaeScaleFactor();
        NDArray maskLatent = mask.get(new NDIndex(":, :, ::" + f + ", ::" + f));
        NDArray keep = maskLatent.mul(-1).add(1);
        int last = schedule.endIndex() - 1;
        Sampler.StepBlend blend = (index, x) -> {
            x.getManager().tempAttachAll(imageLatents, eps, keep, maskLatent);
            NDArray known = index < last ? sampler.addNoise(imageLatents, eps, schedule, index + 1) : imageLatents;
            return keep.mul(known).add(maskLatent.mul(x));
        };
        return new Start(latents, blend);
    }

    /** Scaled VAE latents of images (B, 3, H, W) in [-1, 1], the posterior sampled with {@code posteriorNoise}. */
    private NDArray encodeImages(JobSpec spec, ModelRef modelRef, NDArray images, NDArray posteriorNoise,
            NDManager manager) {
        VaeEncodeResponse encoded = inSpan(spec, "vae.encode", () -> stage("VAE", () -> clients.encodeImages(
                spec.jobId(), VaeEncodeRequest.newBuilder().setModel(modelRef)
                        .setImages(Tensors.toProto(images)).setNoise(Tensors.toProto(posteriorNoise)).build())));
        return Tensors.toNDArray(WireTensors.checked(encoded.getLatents(), "VAE latents"), manager);
    }

    /**
     * img2img (SDEdit, Meng et al. 2021): x0 = the VAE latents of the start image (posterior sampled with the first
     * noise draw, as the in-process pipeline does), then x_t = sqrt(alphaCumprod_t) x0 + sqrt(1 - alphaCumprod_t) eps
     * at the first timestep of the strength window (the sampler's addNoise).
     */
    private NDArray noisedImageLatents(JobSpec spec, ModelRef modelRef, Sampler sampler, Schedule schedule,
            BufferedImage initImage, NoiseSource noise, Shape shape, NDManager manager) {
        // images: (1, 3, H, W) in [-1, 1] -> (B, 3, H, W)
        NDArray images = ImageTensors.toTensor(initImage, manager)
                .broadcast(new Shape(spec.numImages(), 3, spec.heightPx(), spec.widthPx()));
        NDArray originalSample = encodeImages(spec, modelRef, images, noise.next(shape, manager), manager);
        NDArray eps = noise.next(shape, manager);
        return sampler.addNoise(originalSample, eps, schedule, schedule.beginIndex());
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

    /** Progress events (and checkpoints) of steps {@code done + 1 ..} of {@code totalSteps}. */
    private StepListener progress(JobSpec spec, int done, int totalSteps) {
        int every = config.checkpointEverySteps();
        return (index, total, timestep, latents, predOriginalSample) -> {
            int step = done + index + 1;
            String latentsKey = "";
            if (every > 0 && (step % every == 0 || step == totalSteps)) {
                latentsKey = JobKeys.latents(spec.jobId(), step);
                storeLatents(latentsKey, latents);
            }
            events.publish(GenerationEvents.progress(spec.jobId(), step, totalSteps, latentsKey));
        };
    }

    /** A latents checkpoint in the bucket: the 1-based step after which it was written. */
    private record Checkpoint(int step, String key) {
    }

    /** The job's latest checkpoint of at most {@code totalSteps} steps (a job redelivered after a crash has one). */
    private Optional<Checkpoint> latestCheckpoint(JobSpec spec, int totalSteps) {
        if (config.checkpointEverySteps() <= 0) {
            return Optional.empty();
        }
        return store.list(JobKeys.latentsPrefix(spec.jobId())).stream()
                .map(key -> JobKeys.latentsStep(spec.jobId(), key).map(step -> new Checkpoint(step, key)))
                .flatMap(Optional::stream)
                .filter(found -> found.step() <= totalSteps)
                .max(Comparator.comparingInt(Checkpoint::step));
    }

    /** The checkpoint's latents, or empty (start afresh) when they do not fit this job. */
    private Optional<NDArray> loadCheckpoint(Checkpoint checkpoint, Shape shape, NDManager manager) {
        Optional<byte[]> bytes = store.get(checkpoint.key());
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        Path file = null;
        try {
            file = Files.createTempFile("latents-", ".safetensors");
            Files.write(file, bytes.get());
            NDArray latents = SafetensorsReader.read(file, manager).get("latents");
            if (latents == null || !latents.getShape().equals(shape)) {
                LOG.warnf("ignoring checkpoint %s: no latents of shape %s", checkpoint.key(), shape);
                return Optional.empty();
            }
            LOG.infof("resuming from checkpoint %s", checkpoint.key());
            return Optional.of(latents);
        } catch (IOException | RuntimeException e) {
            LOG.warnf(e, "ignoring unreadable checkpoint %s", checkpoint.key());
            return Optional.empty();
        } finally {
            deleteQuietly(file);
        }
    }

    private void storeLatents(String key, NDArray latents) {
        Path file = null;
        try {
            file = Files.createTempFile("latents-", ".safetensors");
            SafetensorsWriter.write(file, Map.of("latents", latents));
            store.put(key, Files.readAllBytes(file), "application/octet-stream");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write latents checkpoint " + key, e);
        } finally {
            deleteQuietly(file);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debugf(e, "cannot remove temporary file %s", file);
        }
    }

    /** Wraps every model evaluation in a span "denoise.step" (the gRPC client span nests under it). */
    private Denoiser tracedSteps(JobSpec spec, Denoiser remote) {
        return (latents, timestep) -> {
            Span span = tracer.spanBuilder("denoise.step").setAttribute(JobRunner.JOB_ID_ATTRIBUTE, spec.jobId())
                    .setAttribute("latentflow.timestep", timestep)
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                return remote.predict(latents, timestep);
            } catch (RuntimeException e) {
                span.recordException(e);
                throw e;
            } finally {
                span.end();
            }
        };
    }

    private static EncodeTextRequest encodeRequest(JobSpec spec, ModelRef model) {
        EncodeTextRequest.Builder request = EncodeTextRequest.newBuilder().setModel(model).addPrompts(spec.prompt());
        if (spec.usesGuidance()) {
            request.addPrompts(spec.negativePrompt() == null ? "" : spec.negativePrompt());
        }
        return request.build();
    }

    private <T> T inSpan(JobSpec spec, String name, Supplier<T> body) {
        Span span = tracer.spanBuilder(name).setAttribute(JobRunner.JOB_ID_ATTRIBUTE, spec.jobId()).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return body.get();
        } catch (RuntimeException e) {
            span.recordException(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private static <T> T stage(String stage, Supplier<T> call) {
        try {
            return call.get();
        } catch (StageFailedException | InvalidRequestException | CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StageFailedException(stage, e);
        }
    }

    private static String print(com.google.protobuf.MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000L;
    }
}
