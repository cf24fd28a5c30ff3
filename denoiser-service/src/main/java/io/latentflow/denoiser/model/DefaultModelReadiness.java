package io.latentflow.denoiser.model;

import io.latentflow.denoiser.storage.ModelId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the default model is loaded; lists every loaded model version. */
@Readiness
@ApplicationScoped
public class DefaultModelReadiness implements HealthCheck {

    private final UnetRegistry registry;

    @Inject
    public DefaultModelReadiness(UnetRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        UnetRegistry.DefaultModelState state = registry.defaultModel();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("default-model")
                .status(state.loadedId().isPresent())
                .withData("loaded", registry.loadedModels().stream().map(ModelId::toString)
                        .collect(Collectors.joining(",")));
        state.loadedId().ifPresent(id -> response.withData("default", id.toString()));
        if (state.problem() != null) {
            response.withData("problem", state.problem());
        }
        return response.build();
    }
}
