package io.latentflow.orchestrator.rest;

import io.latentflow.orchestrator.api.TrainingEventStreams;
import io.latentflow.orchestrator.api.TrainingSubmissions;
import io.latentflow.orchestrator.job.RequestParser;
import io.latentflow.orchestrator.training.TrainingRuns;
import io.latentflow.orchestrator.training.TrainingTracker;
import io.latentflow.proto.TrainingRequest;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Training runs over HTTP, in the same schema as the Kafka topics and the gRPC API (TrainingRequest, TrainingEvent
 * and TrainingRun as protobuf JSON) and with the same validation messages; runs and their metrics are read from the
 * bucket, so any orchestrator answers for any run.
 */
@Path("/api/v1/training-runs")
@Tag(name = "training", description = "training runs: submit, follow (state, loss curves, samples), cancel")
public class TrainingRunsResource {

    private final TrainingSubmissions submissions;
    private final TrainingEventStreams streams;
    private final TrainingRuns runs;
    private final TrainingTracker tracker;

    @Inject
    TrainingRunsResource(TrainingSubmissions submissions, TrainingEventStreams streams, TrainingRuns runs,
            TrainingTracker tracker) {
        this.submissions = submissions;
        this.streams = streams;
        this.runs = runs;
        this.tracker = tracker;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Submit a run (a TrainingRequest as JSON); 202 with its id, 400 naming a bad field")
    public Uni<Response> submit(String body) {
        TrainingSubmissions.Submitted submitted = submissions.submit(
                RequestParser.parse(body, TrainingRequest.getDefaultInstance()));
        return Uni.createFrom().completionStage(submitted::written)
                .onFailure().transform(ErrorResponses.KafkaUnavailableException::new)
                .replaceWith(() -> Response.accepted("{\"runId\":\"" + submitted.runId() + "\"}")
                        .location(URI.create("/api/v1/training-runs/" + submitted.runId())).build());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "The recorded runs, latest first (TrainingRun list)")
    public String list(@QueryParam("limit") @DefaultValue("50") int limit) {
        return runs.recent(Math.max(1, Math.min(limit, 1000))).stream()
                .map(JobsResource::json)
                .collect(Collectors.joining(",", "[", "]"));
    }

    @GET
    @Path("/{runId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "A run as recorded in its run.json (TrainingRun); 404 when unknown")
    public String get(@PathParam("runId") String runId) {
        return JobsResource.json(runs.find(runId).orElseThrow(() -> unknown(runId)));
    }

    @GET
    @Path("/{runId}/metrics")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "The run's events so far (TrainingEvent list, oldest first): losses per step, checkpoints,"
            + " sample keys; 404 when unknown")
    public String metrics(@PathParam("runId") String runId) {
        return jsonArray(runs.metrics(runId)
                .or(() -> runs.find(runId).map(run -> ""))
                .orElseThrow(() -> unknown(runId)));
    }

    @GET
    @Path("/{runId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The run's events (TrainingEvent) as Server-Sent Events: the latest one of a run going on"
            + " on this orchestrator, then each new one until it ends; an ended run's end at once")
    public Multi<String> events(@PathParam("runId") String runId) {
        return streams.follow(runId).map(JobsResource::json);
    }

    @POST
    @Path("/{runId}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel a run running on this orchestrator at its next step; cancelled is false otherwise")
    public String cancel(@PathParam("runId") String runId) {
        return "{\"cancelled\":" + tracker.requestCancel(runId) + "}";
    }

    /** JSON lines as one JSON array. */
    static String jsonArray(String jsonLines) {
        return jsonLines.lines().filter(line -> !line.isBlank()).collect(Collectors.joining(",", "[", "]"));
    }

    private static NotFoundException unknown(String runId) {
        return new NotFoundException("training run '" + runId + "' is unknown");
    }
}
