package io.latentflow.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.core.image.PngText;
import io.latentflow.core.sampling.SamplerDisplayNames;
import io.latentflow.orchestrator.api.ApiClients;
import io.latentflow.orchestrator.api.JobLookup;
import io.latentflow.orchestrator.api.JobSubmissions;
import io.latentflow.orchestrator.job.CancelRequests;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.orchestrator.job.RequestLimits;
import io.latentflow.orchestrator.storage.ModelCatalog;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ImageResult;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The endpoints of AUTOMATIC1111's web UI API that its clients call, so that they work unchanged: txt2img and img2img
 * (its JSON field names; images in and out as base64 PNG), progress, interrupt, sd-models, samplers and options. Each
 * call is a LatentFlow job through Kafka, like any other; progress and interrupt act on the calling client's latest
 * job.
 */
@Path("/sdapi/v1")
@Tag(name = "AUTOMATIC1111", description = "endpoints compatible with AUTOMATIC1111's web UI API")
@Produces(MediaType.APPLICATION_JSON)
public class A1111Resource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JobSubmissions submissions;
    private final JobTracker tracker;
    private final JobLookup lookup;
    private final CancelRequests cancels;
    private final ObjectStore store;
    private final ModelCatalog catalog;
    private final RequestLimits limits;
    private final A1111Requests requests = new A1111Requests();
    /** Each client's latest job through these endpoints, for progress and interrupt. */
    private final Map<String, Latest> latest = new ConcurrentHashMap<>();

    private record Latest(String jobId, long submittedMs) {
    }

    @Inject
    A1111Resource(JobSubmissions submissions, JobTracker tracker, JobLookup lookup, CancelRequests cancels,
            ObjectStore store, ModelCatalog catalog, RequestLimits limits) {
        this.submissions = submissions;
        this.lookup = lookup;
        this.tracker = tracker;
        this.cancels = cancels;
        this.store = store;
        this.catalog = catalog;
        this.limits = limits;
    }

    @POST
    @Path("/txt2img")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Generate images from a prompt; answers when they are done")
    public Response txt2img(JsonNode body, @Context ContainerRequestContext request) {
        return run(body, requests.toJob(body, null, null), request);
    }

    @POST
    @Path("/img2img")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Generate images from an init image (and a mask: inpainting); answers when they are done")
    public Response img2img(JsonNode body, @Context ContainerRequestContext request) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException("body", "a JSON object is expected");
        }
        JsonNode images = body.get("init_images");
        if (images == null || !images.isArray() || images.size() != 1) {
            throw new InvalidRequestException("init_images", "exactly one base64 image is expected, got "
                    + (images == null || !images.isArray() ? "none" : images.size()));
        }
        String upload = limits.inputsPrefix() + "sdapi/" + UUID.randomUUID() + "/";
        String initKey = store(upload + "init.png", "init_images", images.get(0));
        JsonNode mask = body.get("mask");
        String maskKey = mask == null || mask.isNull() ? null : store(upload + "mask.png", "mask", mask);
        return run(body, requests.toJob(body, initKey, maskKey), request);
    }

    @GET
    @Path("/progress")
    @Operation(summary = "Progress of the calling client's latest job: fraction done, ETA in seconds, state")
    public ObjectNode progress(@QueryParam("skip_current_image") @DefaultValue("false") boolean skipCurrentImage,
            @Context ContainerRequestContext request) {
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode state = answer.objectNode();
        Latest job = latest.get(JobsResource.client(request).name());
        Optional<GenerationEvent> last = job == null ? Optional.empty()
                : tracker.find(job.jobId()).flatMap(JobTracker.TrackedJob::lastEvent);
        boolean running = job != null && last.map(e -> !JobTracker.isTerminal(e.getType())).orElse(true);
        double progress = 0;
        double eta = 0;
        int step = 0;
        int steps = 0;
        if (job != null && last.isPresent() && last.get().getType() == EventType.PROGRESS) {
            step = last.get().getProgress().getStep();
            steps = last.get().getProgress().getTotalSteps();
            progress = steps == 0 ? 0 : step / (double) steps;
        }
        if (job != null) {
            eta = tracker.find(job.jobId()).map(tracked -> lookup.status(tracked).getEtaSeconds()).orElse(0.0);
        }
        answer.put("progress", running ? progress : 0);
        answer.put("eta_relative", running ? eta : 0);
        state.put("skipped", false);
        state.put("interrupted", last.map(e -> e.getType() == EventType.CANCELLED).orElse(false));
        state.put("job", running && job != null ? job.jobId() : "");
        state.put("job_count", running ? 1 : 0);
        state.put("job_timestamp", job == null ? "0" : Long.toString(job.submittedMs()));
        state.put("job_no", 0);
        state.put("sampling_step", step);
        state.put("sampling_steps", steps);
        answer.set("state", state);
        answer.putNull("current_image");
        answer.putNull("textinfo");
        return answer;
    }

    @POST
    @Path("/interrupt")
    @Blocking
    @Operation(summary = "Cancel the calling client's latest job")
    public Response interrupt(@Context ContainerRequestContext request) {
        Latest job = latest.get(JobsResource.client(request).name());
        if (job != null) {
            cancels.request(job.jobId());
        }
        return Response.ok().build();
    }

    @GET
    @Path("/sd-models")
    @Blocking
    @Operation(summary = "The models, as name/version titles")
    public ArrayNode sdModels() {
        ArrayNode models = JSON.createArrayNode();
        for (String title : catalog.list()) {
            ObjectNode model = models.addObject();
            model.put("title", title);
            model.put("model_name", title.substring(0, title.indexOf('/')));
            model.putNull("hash");
            model.putNull("sha256");
            model.put("filename", "models/" + title);
            model.putNull("config");
        }
        return models;
    }

    @GET
    @Path("/samplers")
    @Operation(summary = "The samplers, under AUTOMATIC1111's names")
    public ArrayNode samplers() {
        ArrayNode samplers = JSON.createArrayNode();
        SamplerDisplayNames.all().forEach((name, choice) -> {
            ObjectNode sampler = samplers.addObject();
            sampler.put("name", name);
            sampler.putArray("aliases").add(choice.sampler());
            sampler.putObject("options");
        });
        return samplers;
    }

    @GET
    @Path("/options")
    @Operation(summary = "The default model as sd_model_checkpoint (the one option clients read)")
    public ObjectNode options() {
        ObjectNode options = JSON.createObjectNode();
        options.put("sd_model_checkpoint", limits.defaultModel());
        return options;
    }

    /** Runs the job to its end and answers as AUTOMATIC1111 does: images, the request's parameters, info. */
    private Response run(JsonNode body, GenerationRequest parsed, ContainerRequestContext request) {
        ApiClients.Client client = JobsResource.client(request);
        GenerationRequest job = submissions.ownedBy(client, parsed);
        submissions.validate(job);
        CompletableFuture<GenerationEvent> end = new CompletableFuture<>();
        JobSubmissions.Submitted submitted = submissions.submit(client, job, event -> {
            if (JobTracker.isTerminal(event.getType())) {
                end.complete(event);
            }
        });
        latest.put(client.name(), new Latest(job.getJobId(), Instant.now().toEpochMilli()));
        GenerationEvent last;
        try {
            submitted.written().toCompletableFuture().get();
            last = end.get();
        } catch (ExecutionException e) {
            throw new ErrorResponses.KafkaUnavailableException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while job " + job.getJobId() + " ran", e);
        } finally {
            JobSubmissions.closeQuietly(submitted.subscription(), job.getJobId());
        }
        if (last.getType() == EventType.FAILED) {
            return ErrorResponses.json(Response.Status.BAD_REQUEST, last.getFailure().getField(),
                    last.getFailure().getReason());
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode images = answer.putArray("images");
        ObjectNode info = JSON.createObjectNode();
        ArrayNode infotexts = info.putArray("infotexts");
        ArrayNode seeds = info.putArray("all_seeds");
        if (last.getType() == EventType.COMPLETED) {
            for (ImageResult image : last.getCompleted().getImagesList()) {
                byte[] png = store.get(image.getKey()).orElseThrow(() -> new IllegalStateException(
                        "image " + image.getKey() + " of job " + job.getJobId() + " is missing from the bucket"));
                if (A1111Requests.sendImages(body)) {
                    images.add(Base64.getEncoder().encodeToString(png));
                }
                infotexts.add(PngText.read(png, PngText.PARAMETERS).orElse(""));
                seeds.add(image.getSeed());
            }
            info.put("width", last.getCompleted().getImages(0).getWidth());
            info.put("height", last.getCompleted().getImages(0).getHeight());
        }
        info.put("job_id", job.getJobId());
        info.put("prompt", job.getPrompt());
        info.put("negative_prompt", job.getNegativePrompt());
        info.put("seed", job.getSeed());
        info.put("steps", job.getSteps());
        info.put("cfg_scale", job.getGuidanceScale());
        info.put("batch_size", job.getNumImages());
        info.put("sd_model_name", job.getModel().getName().isEmpty() ? limits.defaultModel()
                : job.getModel().getName());
        info.put("interrupted", last.getType() == EventType.CANCELLED);
        answer.set("parameters", body);
        answer.put("info", info.toString());
        return Response.ok(answer).build();
    }

    private String store(String key, String field, JsonNode base64) {
        if (!base64.isTextual()) {
            throw new InvalidRequestException(field, "a base64 image is expected");
        }
        String text = base64.asText();
        int comma = text.startsWith("data:") ? text.indexOf(',') : -1;
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(text.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field, "not base64: " + e.getMessage());
        }
        store.put(key, bytes, "image/png");
        return key;
    }
}
