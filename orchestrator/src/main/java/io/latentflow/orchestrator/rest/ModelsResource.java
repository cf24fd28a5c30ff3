package io.latentflow.orchestrator.rest;

import io.latentflow.orchestrator.storage.ModelCatalog;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The models jobs can name, over HTTP. */
@Path("/api/v1/models")
@Tag(name = "models")
public class ModelsResource {

    /** A model version a job can name. */
    public record Model(String name, String version) {
    }

    private final ModelCatalog catalog;

    @Inject
    ModelsResource(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Every model version in the model folders and the bucket")
    public List<Model> list() {
        return catalog.list().stream().map(title -> {
            int slash = title.indexOf('/');
            return new Model(title.substring(0, slash), title.substring(slash + 1));
        }).toList();
    }
}
