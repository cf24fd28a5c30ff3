package io.latentflow.service.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.latentflow.core.model.ModelLoadException;
import io.latentflow.service.storage.ModelNotFoundException;
import java.util.concurrent.CancellationException;
import org.jboss.logging.Logger;

/** Maps failures of a call to the gRPC status the caller sees. */
public final class GrpcStatuses {

    private static final Logger LOG = Logger.getLogger(GrpcStatuses.class);

    private GrpcStatuses() {
    }

    /**
     * The status exception for a failure: bad input (a request field or a training setting, the message starting with
     * its name), unknown model, unloadable model, a call cancelled by its caller, or an internal error.
     */
    public static Throwable toStatus(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        Status status;
        if (failure instanceof InvalidFieldException || failure instanceof IllegalArgumentException) {
            status = Status.INVALID_ARGUMENT;
        } else if (failure instanceof ModelNotFoundException) {
            status = Status.NOT_FOUND;
        } else if (failure instanceof ModelLoadException) {
            status = Status.FAILED_PRECONDITION;
        } else if (failure instanceof CancellationException) {
            status = Status.CANCELLED;
        } else {
            LOG.error("call failed", failure);
            status = Status.INTERNAL;
        }
        return status.withDescription(failure.getMessage()).withCause(failure).asRuntimeException();
    }
}
