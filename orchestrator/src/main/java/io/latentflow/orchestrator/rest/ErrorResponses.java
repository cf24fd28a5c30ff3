package io.latentflow.orchestrator.rest;

import io.latentflow.orchestrator.api.JobSubmissions;
import io.latentflow.orchestrator.job.InvalidRequestException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Errors of the REST API and AUTOMATIC1111 endpoints as JSON naming the field and the reason, with the status a
 * client can act on: 400 bad request, 404 unknown job or run, 429 the client's limit of jobs, 503 Kafka unreachable.
 */
public class ErrorResponses {

    /** The Kafka write of a job or a training run failed. */
    public static final class KafkaUnavailableException extends RuntimeException {
        public KafkaUnavailableException(Throwable cause) {
            super("cannot write the request to Kafka: " + cause.getMessage(), cause);
        }
    }

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return json(Response.Status.BAD_REQUEST, e.field(), e.reason());
    }

    @ServerExceptionMapper
    public Response limit(JobSubmissions.LimitReachedException e) {
        return json(Response.Status.TOO_MANY_REQUESTS, "", e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return json(Response.Status.NOT_FOUND, "", e.getMessage());
    }

    @ServerExceptionMapper
    public Response kafka(KafkaUnavailableException e) {
        return json(Response.Status.SERVICE_UNAVAILABLE, "", e.getMessage());
    }

    static Response json(Response.Status status, String field, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("field", field, "reason", reason)).build();
    }
}
