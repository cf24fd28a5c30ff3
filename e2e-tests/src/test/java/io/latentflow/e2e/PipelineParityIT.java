package io.latentflow.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.image.PngText;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.pipeline.ExpertEnsemble;
import io.latentflow.core.pipeline.GenerationResult;
import io.latentflow.core.pipeline.GenerationRules;
import io.latentflow.core.pipeline.InvalidGenerationException;
import io.latentflow.core.pipeline.LatentDiffusionPipeline;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.SamplerOptions;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import io.latentflow.core.testing.SdxlFolders;
import io.latentflow.deploy.LatentflowService;
import io.latentflow.deploy.ServiceInstance;
import io.latentflow.proto.CancelRequest;
import io.latentflow.proto.EncodeTextRequest;
import io.latentflow.proto.EncodeTextResponse;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.GenerationServiceGrpc;
import io.latentflow.proto.GetJobRequest;
import io.latentflow.proto.JobStatus;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TextEncoderServiceGrpc;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One generation path: every case of the oracle's tiny Stable Diffusion folder (txt2img, guidance rescale, img2img,
 * 4-channel inpainting), 9-channel inpainting on a widened copy of it, and SDXL base + refiner folders, run as jobs
 * through the real services, end with the same final latents (max abs difference 1e-5) and the same pixels as
 * core's pipeline in this JVM, in a PNG that carries the job's parameters. The services run with TLS between them, two denoiser replicas and two orchestrators,
 * so every case also crosses TLS, spreads its UNet calls over both denoisers and runs on either orchestrator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineParityIT {

    private static final double SAME = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelRef ORACLE_MODEL = ModelRef.newBuilder().setName("sd-oracle").setVersion("1").build();
    private static final ModelRef INPAINTING_MODEL = ModelRef.newBuilder().setName("sd-inpainting").setVersion("1")
            .build();
    private static final ModelRef SDXL_BASE = ModelRef.newBuilder().setName("sdxl-base").setVersion("1").build();
    private static final ModelRef SDXL_REFINER = ModelRef.newBuilder().setName("sdxl-refiner").setVersion("1")
            .build();

    private RunningSystem system;
    private ManagedChannel channel;
    private NDManager manager;

    @BeforeAll
    void start() throws Exception {
        system = RunningSystem.startWithTls(Map.of(LatentflowService.DENOISER, 2, LatentflowService.ORCHESTRATOR, 2));
        Runtime.getRuntime().addShutdownHook(new Thread(system::close));
        channel = system.orchestratorChannel();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (manager != null) {
            manager.close();
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (system != null) {
            system.close();
        }
    }

    private static Path oracleFolder() {
        return Path.of(System.getProperty("latentflow.oracle", "../../shared/oracle")).resolve("pipeline_sd_tiny");
    }

    @Test
    void everyOracleCaseAndNineChannelInpaintingMatchThePipelineInThisJvm(@TempDir Path dir) throws Exception {
        Path oracle = oracleFolder();
        upload(oracle, ORACLE_MODEL);
        Path inpainting = widenedForInpainting(oracle, dir);
        upload(inpainting, INPAINTING_MODEL);
        String initKey = "inputs/" + UUID.randomUUID() + "/start.png";
        byte[] initPng = Files.readAllBytes(oracle.resolve("case0_txt2img.png"));
        system.put(initKey, initPng, "image/png");
        String maskKey = "inputs/" + UUID.randomUUID() + "/mask.png";
        byte[] maskPng = TestImages.rightHalfMask(64, 64);
        system.put(maskKey, maskPng, "image/png");

        List<String> figures = new ArrayList<>();
        try (LatentDiffusionPipeline local = LatentDiffusionPipeline.load(oracle, ModelOptions.defaults());
             LatentDiffusionPipeline localInpainting = LatentDiffusionPipeline.load(inpainting,
                     ModelOptions.defaults())) {
            for (JsonNode c : JSON.readTree(oracle.resolve("cases.json").toFile()).path("cases")) {
                JsonNode kw = c.path("call_kwargs");
                GenerationRequest.Builder job = GenerationRequest.newBuilder().setModel(ORACLE_MODEL)
                        .setPrompt(c.path("prompt").asText())
                        .setNegativePrompt(kw.path("negative_prompt").asText(""))
                        .setSteps(kw.path("num_inference_steps").asInt())
                        .setGuidanceScale((float) kw.path("guidance_scale").asDouble())
                        .setGuidanceRescale((float) kw.path("guidance_rescale").asDouble(0))
                        .setSampler("ddim")
                        .setSeed(1000 + c.path("index").asInt());
                if (kw.has("image")) {
                    job.setInitImage(initKey).setStrength((float) kw.path("strength").asDouble());
                }
                if (kw.has("mask_image")) {
                    job.setMask(maskKey);
                }
                figures.add(c.path("name").asText() + " " + compare(request -> local.generate(request, manager),
                        job.build(), initPng, maskPng));
            }
            GenerationRequest nineChannel = GenerationRequest.newBuilder().setModel(INPAINTING_MODEL)
                    .setPrompt("a red circle on a blue background").setNegativePrompt("").setSteps(6)
                    .setGuidanceScale(7.5f).setSampler("ddim").setSeed(77).setInitImage(initKey).setMask(maskKey).setStrength(0.9f)
                    .build();
            figures.add("inpaint_9ch " + compare(request -> localInpainting.generate(request, manager), nineChannel,
                    initPng, maskPng));
        }
        figures.forEach(figure -> System.out.println("parity " + figure));
    }

    /**
     * Two denoiser replicas share a job's UNet calls; the second killed (SIGKILL) mid-job changes nothing: the job
     * completes on the first with the same PNG bytes as undisturbed.
     */
    @Test
    void aDenoiserReplicaKilledMidJobChangesNothing() throws Exception {
        ServiceInstance second = new ServiceInstance(LatentflowService.DENOISER, 1);
        GenerationRequest job = GenerationRequest.newBuilder().setPrompt("a green triangle").setNegativePrompt("")
                .setSteps(40).setGuidanceScale(7.5f).setSampler("ddim").setSeed(31).build();
        double[] servedBefore = {predictCalls(ServiceInstance.of(LatentflowService.DENOISER)), predictCalls(second)};
        byte[] undisturbed = completedImage(events(job.toBuilder().setJobId("e2e-replicas-" + UUID.randomUUID())
                .build()));
        double[] servedAfter = {predictCalls(ServiceInstance.of(LatentflowService.DENOISER)), predictCalls(second)};
        assertTrue(servedAfter[0] > servedBefore[0] && servedAfter[1] > servedBefore[1],
                () -> "both replicas serve the job's UNet calls: before " + Arrays.toString(servedBefore) + ", after "
                        + Arrays.toString(servedAfter));

        List<GenerationEvent> events = new ArrayList<>();
        try {
            Iterator<GenerationEvent> stream = GenerationServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(3, TimeUnit.MINUTES)
                    .generate(job.toBuilder().setJobId("e2e-replica-killed-" + UUID.randomUUID()).build());
            while (stream.hasNext()) {
                GenerationEvent event = stream.next();
                events.add(event);
                if (event.getType() == EventType.PROGRESS && event.getProgress().getStep() == 10) {
                    system.kill(second);
                }
            }
            assertTrue(system.services.process(second).running().isEmpty(), "the replica was killed mid-job");
            assertArrayEquals(undisturbed, completedImage(events), "same image with a replica killed mid-job");
        } finally {
            system.services.start(second);
            system.services.awaitReady(second, RunningSystem.START_TIMEOUT);
        }
    }

    /**
     * Two orchestrators share the jobs' partitions: a burst submitted through the first completes with one COMPLETED
     * event per job, each orchestrator answers GetJob for every job, and a job is cancelled through the second.
     */
    @Test
    void twoOrchestratorsServeEachOthersJobs() throws Exception {
        ManagedChannel second = system.orchestratorChannel(1);
        List<ManagedChannel> both = List.of(channel, second);
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String jobId = "e2e-two-orchestrators-" + UUID.randomUUID();
                GenerationServiceGrpc.newBlockingStub(channel).submit(GenerationRequest.newBuilder().setJobId(jobId)
                        .setPrompt("a blue square").setSteps(4).setSeed(i).build());
                ids.add(jobId);
            }
            for (String jobId : ids) {
                for (ManagedChannel orchestrator : both) {
                    awaitState(orchestrator, jobId, EventType.COMPLETED);
                }
            }
            for (String jobId : ids) {
                assertEquals(1, system.events.matching(record -> jobId.equals(record.key())
                        && record.value().contains("\"COMPLETED\"")).size(), jobId + ": one COMPLETED event");
            }

            String longJob = "e2e-cancelled-elsewhere-" + UUID.randomUUID();
            GenerationServiceGrpc.newBlockingStub(channel).submit(GenerationRequest.newBuilder().setJobId(longJob)
                    .setPrompt("a blue square").setSteps(500).build());
            awaitState(second, longJob, EventType.PROGRESS);
            assertTrue(GenerationServiceGrpc.newBlockingStub(second).cancel(CancelRequest.newBuilder()
                    .setJobId(longJob).build()).getCancelled());
            for (ManagedChannel orchestrator : both) {
                awaitState(orchestrator, longJob, EventType.CANCELLED);
            }
        } finally {
            second.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Polls GetJob on one orchestrator until the job is in {@code state} (NOT_FOUND until it has heard of it). */
    private static JobStatus awaitState(ManagedChannel orchestrator, String jobId, EventType state) {
        return Poll.until(jobId + " " + state + " through GetJob", Duration.ofMinutes(3), () -> {
            try {
                JobStatus status = GenerationServiceGrpc.newBlockingStub(orchestrator)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
                return status.getState() == state ? Optional.of(status) : Optional.empty();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e;
                }
                return Optional.empty();
            }
        });
    }

    /** The PNG of a job's COMPLETED event (its last). */
    private byte[] completedImage(List<GenerationEvent> events) throws Exception {
        GenerationEvent last = events.get(events.size() - 1);
        assertEquals(EventType.COMPLETED, last.getType(), () -> "events: " + events);
        return system.object(last.getCompleted().getImages(0).getKey()).orElseThrow();
    }

    /** Predict calls a denoiser process has served: the count of its batch-size summary in /q/metrics. */
    private double predictCalls(ServiceInstance denoiser) throws Exception {
        return RunningSystem.metric(system.services.metrics(denoiser), "latentflow_denoiser_batch_samples_count");
    }

    /** The model services refuse plain text; a client trusting the configured CA is answered. */
    @Test
    void modelServicesAnswerOverTlsOnly() throws Exception {
        int port = system.port(LatentflowService.TEXT_ENCODER);
        EncodeTextRequest request = EncodeTextRequest.newBuilder().addPrompts("a red circle").build();
        ManagedChannel plain = ManagedChannelBuilder.forAddress(RunningSystem.HOST, port).usePlaintext().build();
        ManagedChannel tls = NettyChannelBuilder.forAddress(RunningSystem.HOST, port)
                .sslContext(GrpcSslContexts.forClient()
                        .trustManager(system.services.config().tls().orElseThrow().ca().toFile()).build())
                .build();
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> TextEncoderServiceGrpc
                    .newBlockingStub(plain).withDeadlineAfter(20, TimeUnit.SECONDS).encode(request));
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());

            EncodeTextResponse encoded = TextEncoderServiceGrpc.newBlockingStub(tls)
                    .withDeadlineAfter(60, TimeUnit.SECONDS).encode(request);
            assertEquals(3, encoded.getHiddenStates().getShapeCount());
            assertEquals(1L, encoded.getHiddenStates().getShape(0));
        } finally {
            plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * SDXL: a base with two text encoders and a refiner with text_encoder_2 only that wants aesthetic-score time ids,
     * as an ensemble of experts (the model's Euler scheduler, no sampler named), text-to-image and image-to-image.
     */
    @Test
    void sdxlBaseAndRefinerMatchTheEnsembleInThisJvm(@TempDir Path dir) throws Exception {
        Path base = SdxlFolders.base(dir);
        Path refiner = SdxlFolders.refiner(dir, true);
        upload(base, SDXL_BASE);
        upload(refiner, SDXL_REFINER);
        String initKey = "inputs/" + UUID.randomUUID() + "/start.png";
        byte[] initPng = Files.readAllBytes(oracleFolder().resolve("case0_txt2img.png"));
        system.put(initKey, initPng, "image/png");
        try (LatentDiffusionPipeline localBase = LatentDiffusionPipeline.load(base, ModelOptions.defaults());
             LatentDiffusionPipeline localRefiner = LatentDiffusionPipeline.load(refiner, ModelOptions.defaults())) {
            ExpertEnsemble ensemble = new ExpertEnsemble(localBase, localRefiner);
            GenerationRequest txt2img = GenerationRequest.newBuilder().setModel(SDXL_BASE).setRefiner(SDXL_REFINER)
                    .setPrompt("a red circle on a blue background").setNegativePrompt("blurry").setSteps(10)
                    .setGuidanceScale(5f).setSeed(21).setDenoisingEnd(0.7f).build();
            System.out.println("parity sdxl_ensemble " + compare(
                    request -> ensemble.generate(request, 0.7, manager, StepListener.NONE, Cancellation.NONE),
                    txt2img, initPng, null));
            GenerationRequest img2img = txt2img.toBuilder().setInitImage(initKey).setStrength(0.6f)
                    .setDenoisingEnd(0.5f).build();
            System.out.println("parity sdxl_ensemble_img2img " + compare(
                    request -> ensemble.generate(request, 0.5, manager, StepListener.NONE, Cancellation.NONE),
                    img2img, initPng, null));
        }
    }

    /**
     * Every combination core refuses is refused the same way by a job: the failed event names the same field with
     * the same reason as the exception of the pipeline in this JVM (which `generate` prints as its option).
     */
    @Test
    void everyRefusedCombinationHasTheSameFieldAndReasonBothWays() throws Exception {
        upload(oracleFolder(), ORACLE_MODEL);
        String initKey = "inputs/" + UUID.randomUUID() + "/start.png";
        byte[] initPng = Files.readAllBytes(oracleFolder().resolve("case0_txt2img.png"));
        system.put(initKey, initPng, "image/png");
        String maskKey = "inputs/" + UUID.randomUUID() + "/mask.png";
        byte[] maskPng = TestImages.rightHalfMask(64, 64);
        system.put(maskKey, maskPng, "image/png");
        GenerationRequest valid = GenerationRequest.newBuilder().setModel(ORACLE_MODEL).setPrompt("a red circle")
                .setSteps(4).setSampler("ddim").setGuidanceScale(7.5f).setSeed(5).build();
        Map<String, GenerationRequest> refused = new LinkedHashMap<>();
        refused.put("no steps", valid.toBuilder().setSteps(0).build());
        refused.put("unknown sampler", valid.toBuilder().setSampler("heun").build());
        refused.put("eta above 1", valid.toBuilder().setEta(1.5f).build());
        refused.put("eta without ddim", valid.toBuilder().setSampler("euler").setEta(0.5f).build());
        refused.put("karras with ddim", valid.toBuilder().setKarras(true).build());
        refused.put("negative guidance", valid.toBuilder().setGuidanceScale(-1f).build());
        refused.put("guidance rescale above 1", valid.toBuilder().setGuidanceRescale(1.5f).build());
        refused.put("width off the VAE factor", valid.toBuilder().setWidth(65).build());
        refused.put("height off the VAE factor", valid.toBuilder().setHeight(63).build());
        refused.put("strength 0", valid.toBuilder().setInitImage(initKey).setStrength(0f).build());
        refused.put("strength above 1", valid.toBuilder().setInitImage(initKey).setStrength(1.5f).build());
        refused.put("mask without init image", valid.toBuilder().setMask(maskKey).build());
        refused.put("width beside an init image of another width", valid.toBuilder().setInitImage(initKey)
                .setWidth(128).build());
        String smallMaskKey = "inputs/" + UUID.randomUUID() + "/small-mask.png";
        byte[] smallMaskPng = TestImages.rightHalfMask(32, 32);
        system.put(smallMaskKey, smallMaskPng, "image/png");
        refused.put("mask of another size", valid.toBuilder().setInitImage(initKey).setMask(smallMaskKey).build());
        refused.put("denoising_end 1", valid.toBuilder().setRefiner(ORACLE_MODEL).setDenoisingEnd(1f).build());
        refused.put("mask with refiner", valid.toBuilder().setRefiner(ORACLE_MODEL).setInitImage(initKey)
                .setMask(maskKey).build());
        try (LatentDiffusionPipeline local = LatentDiffusionPipeline.load(oracleFolder(), ModelOptions.defaults())) {
            for (Map.Entry<String, GenerationRequest> c : refused.entrySet()) {
                GenerationRequest job = c.getValue();
                InvalidGenerationException inProcess = assertThrows(
                        InvalidGenerationException.class, () -> {
                            io.latentflow.core.pipeline.GenerationRequest request = coreRequest(job, initPng,
                                    job.getMask().equals(smallMaskKey) ? smallMaskPng : maskPng).build();
                            if (job.hasRefiner()) {
                                double end = job.hasDenoisingEnd() ? job.getDenoisingEnd()
                                        : GenerationRules.DEFAULT_DENOISING_END;
                                new ExpertEnsemble(local, local).generate(request, end, manager, StepListener.NONE,
                                        Cancellation.NONE);
                            } else {
                                local.generate(request, manager);
                            }
                        }, c.getKey() + ": refused in this JVM");
                GenerationEvent last = lastEvent(job.toBuilder().setJobId("e2e-refused-" + UUID.randomUUID())
                        .build());
                assertEquals(EventType.FAILED, last.getType(), c.getKey() + ": " + last);
                assertEquals(inProcess.field(), last.getFailure().getField(), c.getKey());
                assertEquals(inProcess.reason(), last.getFailure().getReason(), c.getKey());
                System.out.println("refused both ways: " + c.getKey() + " -> " + inProcess.field() + ": "
                        + inProcess.reason());
            }
        }
    }

    /**
     * Runs {@code job} through Generate and the same request through {@code local}; asserts equal latents and PNG
     * bytes, returns the latents' max abs difference.
     */
    private String compare(Function<io.latentflow.core.pipeline.GenerationRequest, GenerationResult> local,
            GenerationRequest job, byte[] initPng, byte[] maskPng) throws Exception {
        String jobId = "e2e-parity-" + UUID.randomUUID();
        List<GenerationEvent> events = events(job.toBuilder().setJobId(jobId).build());
        GenerationEvent last = events.get(events.size() - 1);
        assertEquals(EventType.COMPLETED, last.getType(), () -> "events: " + events + "\norchestrator log:\n"
                + system.logTail(LatentflowService.ORCHESTRATOR));
        GenerationEvent lastStep = events.stream().filter(e -> e.getType() == EventType.PROGRESS)
                .reduce((a, b) -> b).orElseThrow();
        NDArray remoteLatents = latents(system.object(lastStep.getProgress().getLatentsKey()).orElseThrow());
        byte[] remotePng = system.object(last.getCompleted().getImages(0).getKey()).orElseThrow();

        GenerationResult result = local.apply(coreRequest(job, initPng, maskPng).build());
        assertEquals(result.latents().getShape(), remoteLatents.getShape());
        double d = result.latents().sub(remoteLatents).abs().max().getFloat();
        assertTrue(d <= SAME, () -> jobId + ": final latents differ by " + d + " (NaN in the distributed ones: "
                + remoteLatents.isNaN().any().getBoolean() + ", in this JVM's: "
                + result.latents().isNaN().any().getBoolean() + ")");
        BufferedImage localImage = ImageTensors.toImage(result.images().get(0));
        BufferedImage remoteImage = image(remotePng);
        assertArrayEquals(localImage.getRGB(0, 0, localImage.getWidth(), localImage.getHeight(), null, 0,
                        localImage.getWidth()),
                remoteImage.getRGB(0, 0, remoteImage.getWidth(), remoteImage.getHeight(), null, 0,
                        remoteImage.getWidth()), jobId + ": pixels differ");
        String parameters = PngText.read(remotePng, PngText.PARAMETERS).orElseThrow();
        assertTrue(parameters.startsWith(job.getPrompt() + "\n") && parameters.contains(", Seed: " + job.getSeed()
                + ", Size: " + localImage.getWidth() + "x" + localImage.getHeight() + ","), parameters);
        return String.format("max abs latents difference %.2e, %d steps, pixels identical", d,
                lastStep.getProgress().getTotalSteps());
    }

    /** The in-process request of a job: its options with the job's defaults, its start image and mask decoded. */
    private io.latentflow.core.pipeline.GenerationRequest.Builder coreRequest(GenerationRequest job, byte[] initPng,
            byte[] maskPng) throws IOException {
        io.latentflow.core.pipeline.GenerationRequest.Builder request = io.latentflow.core.pipeline.GenerationRequest
                .builder(job.getPrompt())
                .negativePrompt(job.hasNegativePrompt() ? job.getNegativePrompt() : null)
                .size(job.hasWidth() ? job.getWidth() : 0, job.hasHeight() ? job.getHeight() : 0)
                .steps(job.getSteps())
                .sampler(job.getSampler().isEmpty() ? null : job.getSampler())
                .samplerOptions(new SamplerOptions(job.getEta(), job.getKarras() ? Boolean.TRUE : null))
                .guidance(job.getGuidanceScale())
                .guidanceRescale(job.getGuidanceRescale())
                .seeds(job.getSeed());
        if (!job.getInitImage().isEmpty()) {
            request.initImage(ImageTensors.toTensor(image(initPng), manager), job.hasStrength() ? job.getStrength()
                    : GenerationRules.defaultStrength(!job.getMask().isEmpty()));
        }
        if (!job.getMask().isEmpty()) {
            request.mask(ImageTensors.maskToTensor(image(maskPng), manager));
        }
        return request;
    }

    /** Every event of a job run through Generate, up to its last. */
    private List<GenerationEvent> events(GenerationRequest job) {
        List<GenerationEvent> events = new ArrayList<>();
        GenerationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.MINUTES).generate(job)
                .forEachRemaining(events::add);
        return events;
    }

    private GenerationEvent lastEvent(GenerationRequest job) {
        List<GenerationEvent> events = events(job);
        return events.get(events.size() - 1);
    }

    /** Uploads a pipeline folder as models/NAME/VERSION/, model_index.json last (it makes the version visible). */
    private void upload(Path folder, ModelRef model) throws Exception {
        String prefix = "models/" + model.getName() + "/" + model.getVersion() + "/";
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith("case"))
                    .filter(file -> !file.getFileName().toString().equals("README.md"))
                    .sorted((a, b) -> Boolean.compare(a.endsWith("model_index.json"), b.endsWith("model_index.json")))
                    .toList();
        }
        for (Path file : files) {
            system.put(prefix + folder.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file),
                    "application/octet-stream");
        }
    }

    /**
     * The oracle folder with a 9-channel inpainting UNet: conv_in widened with small fixed weights for the mask and
     * masked-image channels, so that both change the prediction.
     */
    private Path widenedForInpainting(Path source, Path dir) throws IOException {
        Path folder = dir.resolve("inpainting");
        for (String component : new String[] {"scheduler", "text_encoder", "tokenizer", "vae"}) {
            Path from = source.resolve(component);
            try (Stream<Path> files = Files.list(from)) {
                for (Path file : files.toList()) {
                    Files.createDirectories(folder.resolve(component));
                    Files.copy(file, folder.resolve(component).resolve(file.getFileName()));
                }
            }
        }
        Files.copy(source.resolve("model_index.json"), folder.resolve("model_index.json"));
        Files.createDirectories(folder.resolve("unet"));
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("unet/config.json").toFile());
        config.put("in_channels", 9);
        JSON.writeValue(folder.resolve("unet/config.json").toFile(), config);
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> weights = new HashMap<>(SafetensorsReader.read(
                    source.resolve("unet/diffusion_pytorch_model.safetensors"), scope));
            NDArray convIn = weights.get("conv_in.weight");
            Shape s = convIn.getShape();
            long n = s.get(0) * 5 * s.get(2) * s.get(3);
            NDArray extra = scope.arange(0f, (float) n).sin().mul(0.05f).reshape(s.get(0), 5, s.get(2), s.get(3));
            weights.put("conv_in.weight", convIn.concat(extra, 1));
            SafetensorsWriter.write(folder.resolve("unet/diffusion_pytorch_model.safetensors"), weights);
        }
        return folder;
    }

    private NDArray latents(byte[] safetensors) throws IOException {
        Path file = Files.createTempFile("latents-", ".safetensors");
        try {
            Files.write(file, safetensors);
            return SafetensorsReader.read(file, manager).get("latents");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static BufferedImage image(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }
}
