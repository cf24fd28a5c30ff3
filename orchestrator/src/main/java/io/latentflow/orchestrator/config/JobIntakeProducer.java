package io.latentflow.orchestrator.config;

import io.latentflow.orchestrator.job.JobIntake;
import io.latentflow.orchestrator.job.RequestLimits;
import io.latentflow.orchestrator.job.RequestValidator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the request intake from the configured limits. */
@ApplicationScoped
public class JobIntakeProducer {

    @Produces
    @Singleton
    RequestLimits requestLimits(OrchestratorConfig config) {
        OrchestratorConfig.Limits limits = config.limits();
        return new RequestLimits(limits.maxPromptChars(), limits.maxWidthPx(), limits.maxHeightPx(),
                limits.maxSteps(), limits.maxImages(), config.defaultModel(), limits.inputsPrefix(),
                limits.maxPixelSteps());
    }

    @Produces
    @Singleton
    JobIntake jobIntake(RequestLimits limits) {
        return new JobIntake(new RequestValidator(limits));
    }
}
