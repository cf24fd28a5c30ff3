package io.latentflow.orchestrator.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.orchestrator.api.ApiClients;
import io.latentflow.orchestrator.api.JobLookup;
import io.latentflow.orchestrator.api.JobSubmissions;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.orchestrator.job.RequestParser;
import io.latentflow.proto.GenerationRequest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Generation jobs over HTTP, in the same schema as the Kafka topics and the gRPC API (GenerationRequest,
 * GenerationEvent and JobStatus as protobuf JSON) and with the same validation messages; a client sees and cancels
 * its own jobs and those written to the topic directly ({@link JobLookup}).
 */
@Path("/api/v1/jobs")
@Tag(name = "jobs", description = "generation jobs: submit, follow, cancel")
public class JobsResource {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private final JobSubmissions submissions;
    private final JobLookup lookup;
    private final JobTracker tracker;

    @Inject
    JobsResource(JobSubmissions submissions, JobLookup lookup, JobTracker tracker) {
        this.submissions = submissions;
        this.lookup = lookup;
        this.tracker = tracker;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Submit a job (a GenerationRequest as JSON); 202 with its id, 400 naming a bad field")
    public Uni<Response> submit(String body, @Context ContainerRequestContext request) {
        GenerationRequest job = submissions.ownedBy(client(request), RequestParser.parse(body));
        submissions.validate(job);
        JobSubmissions.Submitted submitted = submissions.submit(client(request), job, null);
        return Uni.createFrom().completionStage(submitted::written)
                .onFailure().transform(ErrorResponses.KafkaUnavailableException::new)
                .replaceWith(() -> Response.accepted("{\"jobId\":\"" + job.getJobId() + "\"}")
                        .location(URI.create("/api/v1/jobs/" + job.getJobId())).build());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The caller's jobs this orchestrator knows, latest first (JobStatus list)")
    public String list(@QueryParam("limit") @DefaultValue("50") int limit,
            @Context ContainerRequestContext request) {
        ApiClients.Client client = client(request);
        return tracker.recent(Math.max(1, Math.min(limit, 1000))).stream()
                .map(lookup::status)
                .filter(status -> JobLookup.visibleTo(client, status))
                .map(JobsResource::json)
                .collect(Collectors.joining(",", "[", "]"));
    }

    @GET
    @Path("/{jobId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "A job's status (JobStatus), from any orchestrator; 404 when unknown or another client's")
    public String get(@PathParam("jobId") String jobId, @Context ContainerRequestContext request) {
        return json(lookup.status(client(request), jobId).orElseThrow(() -> unknown(jobId)));
    }

    @POST
    @Path("/{jobId}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Cancel a job between steps; cancelled is false when it has ended or is unknown")
    public String cancel(@PathParam("jobId") String jobId, @Context ContainerRequestContext request) {
        return "{\"cancelled\":" + lookup.cancel(client(request), jobId) + "}";
    }

    @GET
    @Path("/{jobId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The job's events (GenerationEvent) as Server-Sent Events: its latest one, then each new"
            + " one until it ends")
    @Blocking
    public Multi<String> events(@PathParam("jobId") String jobId, @Context ContainerRequestContext request) {
        lookup.status(client(request), jobId).orElseThrow(() -> unknown(jobId));
        JobTracker.TrackedJob known = tracker.find(jobId).orElseThrow(() -> unknown(jobId));
        return Multi.createFrom().emitter(emitter -> {
            AutoCloseable subscription = tracker.subscribe(jobId, event -> {
                emitter.emit(json(event));
                if (JobTracker.isTerminal(event.getType())) {
                    emitter.complete();
                }
            });
            emitter.onTermination(() -> JobSubmissions.closeQuietly(subscription, jobId));
            known.lastEvent().ifPresent(last -> {
                emitter.emit(json(last));
                if (JobTracker.isTerminal(last.getType())) {
                    emitter.complete();
                }
            });
        });
    }

    static ApiClients.Client client(ContainerRequestContext request) {
        return (ApiClients.Client) request.getProperty(ApiKeyFilter.CLIENT);
    }

    private static NotFoundException unknown(String jobId) {
        return new NotFoundException("job '" + jobId + "' is unknown");
    }

    static String json(MessageOrBuilder message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException(e);
        }
    }
}
