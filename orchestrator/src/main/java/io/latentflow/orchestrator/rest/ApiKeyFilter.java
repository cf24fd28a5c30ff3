package io.latentflow.orchestrator.rest;

import io.latentflow.orchestrator.api.ApiClients;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Admits an HTTP call to the REST API (/api/) and the AUTOMATIC1111 endpoints (/sdapi/) only with a client's key, as
 * the gRPC API does; the client travels as a request property ({@link #CLIENT}). The web page, OpenAPI document,
 * health and metrics stay open.
 */
public class ApiKeyFilter {

    /** Request property holding the admitted {@link ApiClients.Client}. */
    public static final String CLIENT = "latentflow.client";

    private final ApiClients clients;

    @Inject
    ApiKeyFilter(ApiClients clients) {
        this.clients = clients;
    }

    @ServerRequestFilter
    public Optional<Response> admit(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/") && !path.startsWith("/sdapi/")) {
            return Optional.empty();
        }
        Optional<ApiClients.Client> client = ApiClients.presentedKey(
                        request.getHeaderString(HttpHeaders.AUTHORIZATION), request.getHeaderString("x-api-key"))
                .flatMap(clients::find);
        if (client.isEmpty()) {
            return Optional.of(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"latentflow\"")
                    .type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("field", "authorization", "reason", "a valid API key is required: header"
                            + " 'Authorization: Bearer KEY', 'x-api-key: KEY', or HTTP Basic with the key as password"))
                    .build());
        }
        request.setProperty(CLIENT, client.get());
        return Optional.empty();
    }
}
