package io.latentflow.cli;

import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.LocalStack;
import io.latentflow.deploy.RepositoryLayout;
import io.latentflow.deploy.ServiceLauncher;
import io.latentflow.deploy.ServicesConfig;
import io.latentflow.deploy.StackConfig;

/**
 * What every subcommand needs to know about where it runs: the repository, the local stack's settings (the ports
 * of a running stack win over LATENTFLOW_*_PORT and the defaults) and the endpoints of Kafka and the object store
 * (LATENTFLOW_KAFKA and LATENTFLOW_S3_* first, then the running stack, then the defaults).
 */
final class CliEnvironment {

    private final RepositoryLayout layout;
    private final StackConfig stack;

    private CliEnvironment(RepositoryLayout layout, StackConfig stack) {
        this.layout = layout;
        this.stack = stack;
    }

    static CliEnvironment detect() {
        RepositoryLayout layout = RepositoryLayout.detect();
        return new CliEnvironment(layout, StackConfig.fromEnvironment(layout).withRecordedPorts());
    }

    RepositoryLayout layout() {
        return layout;
    }

    StackConfig stackConfig() {
        return stack;
    }

    LocalStack localStack(StackConfig config) {
        return new LocalStack(config);
    }

    Endpoints endpoints() {
        return Endpoints.resolve(stack);
    }

    ServiceLauncher services() {
        return new ServiceLauncher(ServicesConfig.fromEnvironment(layout, endpoints()));
    }
}
