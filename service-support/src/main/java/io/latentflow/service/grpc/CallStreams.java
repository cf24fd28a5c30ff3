package io.latentflow.service.grpc;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.function.BooleanSupplier;

/**
 * Lets a streaming gRPC call see that its caller went away. On the port gRPC shares with HTTP
 * ({@code quarkus.grpc.server.use-separate-server=false}) Vert.x drops a client's RST_STREAM once the request has
 * ended, so a server-streaming call never hears of the cancellation (quarkusio/quarkus#56268,
 * eclipse-vertx/vert.x#5562), and a response written after it can tear down the caller's whole HTTP/2 connection. A
 * route filter keeps each gRPC request's HTTP response in the request's Vert.x context, where the call picks it up to
 * poll whether its stream closed before the response ended.
 */
@ApplicationScoped
public class CallStreams {

    private static final String RESPONSE = CallStreams.class.getName() + ".response";
    /** Before the routes, whose handler starts the gRPC call. */
    private static final int FILTER_PRIORITY = 100;

    void register(@Observes Filters filters) {
        filters.register(context -> {
            String contentType = context.request().getHeader("content-type");
            if (contentType != null && contentType.startsWith("application/grpc")
                    && VertxContext.isOnDuplicatedContext()) {
                ContextLocals.put(RESPONSE, context.response());
            }
            context.next();
        }, FILTER_PRIORITY);
    }

    /**
     * For the gRPC call being started on this thread: true once its HTTP/2 stream has closed before the response
     * ended (the caller cancelled or its connection broke). Always false for a call the filter did not see (a
     * separate gRPC server, where cancellation reaches the call itself).
     */
    public static BooleanSupplier currentCallGone() {
        HttpServerResponse response = VertxContext.isOnDuplicatedContext()
                ? ContextLocals.<HttpServerResponse>get(RESPONSE).orElse(null) : null;
        if (response == null) {
            return () -> false;
        }
        return () -> response.closed() && !response.ended();
    }
}
