package io.latentflow.service.model;

import io.latentflow.service.storage.ModelId;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the service's default model is loaded; lists every loaded model version. */
@Readiness
@Singleton
public class DefaultModelReadiness implements HealthCheck {

    private final ModelRegistry<?> registry;

    @Inject
    public DefaultModelReadiness(ModelRegistry<?> registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        DefaultModelState state = registry.defaultModel();
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
