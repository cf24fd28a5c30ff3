package io.latentflow.orchestrator.rest;

import io.latentflow.orchestrator.api.JobLookup;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.job.JobKeys;
import io.latentflow.orchestrator.job.RequestLimits;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The bucket's images over HTTP: a job's images and previews (under jobs/) and a training run's samples (under
 * training/<run>/samples/) to show, and init images and masks to upload (stored under the inputs prefix, where a job
 * may read them).
 */
@Path("/api/v1")
@Tag(name = "images")
public class ObjectsResource {

    /** The largest upload accepted (a 2048x2048 RGBA PNG without compression is 16 MiB). */
    private static final int MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

    /** The keys served: PNGs of jobs and training samples only (never checkpoints, inputs or models). */
    static final String IMAGE_KEY = "(?:jobs/[^/]+/.+|training/[^/]+/samples/.+)\\.png";

    private final ObjectStore store;
    private final RequestLimits limits;
    private final JobLookup lookup;

    @Inject
    ObjectsResource(ObjectStore store, RequestLimits limits, JobLookup lookup) {
        this.store = store;
        this.limits = limits;
        this.lookup = lookup;
    }

    @GET
    @Path("/images/{key: " + IMAGE_KEY + "}")
    @Produces("image/png")
    @Blocking
    @Operation(summary = "A job's image or preview PNG (jobs/...: the caller's jobs only) or a training run's sample"
            + " PNG (training/<run>/samples/...) by its object key")
    public byte[] image(@PathParam("key") String key, @Context ContainerRequestContext request) {
        NotFoundException missing = new NotFoundException("no image '" + key + "'");
        Optional<String> jobId = JobKeys.jobOf(key);
        if (jobId.isPresent() && lookup.status(JobsResource.client(request), jobId.get()).isEmpty()) {
            throw missing;
        }
        return store.get(key).orElseThrow(() -> missing);
    }

    @POST
    @Path("/inputs")
    @Consumes({"image/png", "image/jpeg", MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Upload an init image or mask; answers its object key, to name in a job")
    public Response upload(byte[] image) {
        if (image == null || image.length == 0) {
            throw new InvalidRequestException("body", "an image is expected");
        }
        if (image.length > MAX_UPLOAD_BYTES) {
            throw new InvalidRequestException("body", "at most " + MAX_UPLOAD_BYTES + " bytes, got " + image.length);
        }
        String key = limits.inputsPrefix() + "uploads/" + UUID.randomUUID() + ".png";
        store.put(key, image, "image/png");
        return Response.status(Response.Status.CREATED).entity(Map.of("key", key)).build();
    }
}
