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
    JobIntake jobIntake(OrchestratorConfig config) {
        OrchestratorConfig.Limits limits = config.limits();
        RequestLimits requestLimits = new RequestLimits(limits.maxPromptChars(), limits.maxWidthPx(),
                limits.maxHeightPx(), limits.maxSteps(), limits.maxImages(), config.defaultModel());
        return new JobIntake(new RequestValidator(requestLimits));
    }
}
