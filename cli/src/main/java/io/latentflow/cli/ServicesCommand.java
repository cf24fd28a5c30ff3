package io.latentflow.cli;

import io.latentflow.deploy.ComponentStatus;
import io.latentflow.deploy.LatentflowService;
import io.latentflow.deploy.ServiceLauncher;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code latentflow services up|status|down}: the text encoder, denoiser, VAE and orchestrator processes. */
@Command(
    name = "services",
    mixinStandardHelpOptions = true,
    description = "The four services (text-encoder-service, denoiser-service, vae-service, orchestrator) as local processes.",
    subcommands = {ServicesCommand.Up.class, ServicesCommand.Status.class, ServicesCommand.Down.class})
public final class ServicesCommand {

    /** {@code latentflow services up}. */
    @Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the services (unless running) against the current Kafka and S3, wait until each is ready.")
    static final class Up implements Callable<Integer> {

        @Option(names = "--otlp-endpoint", description = "OTLP endpoint for traces (env LATENTFLOW_OTLP_ENDPOINT)")
        String otlpEndpoint;

        @Option(names = "--timeout", defaultValue = "300", description = "seconds to wait for readiness (default ${DEFAULT-VALUE})")
        long timeoutSeconds;

        @Option(names = "--denoisers", defaultValue = "1", description = "denoiser processes (replicas) on ports "
            + "denoiser port + 10 i; the orchestrator spreads UNet calls over those that answer (default ${DEFAULT-VALUE})")
        int denoisers;

        @Option(names = "--orchestrators", defaultValue = "1", description = "orchestrator processes on ports "
            + "orchestrator port + 10 i, sharing the jobs' partitions (default ${DEFAULT-VALUE})")
        int orchestrators;

        @Override
        public Integer call() throws Exception {
            ServiceLauncher launcher = new ServiceLauncher(launcher(otlpEndpoint).config()
                .withReplicas(LatentflowService.DENOISER, denoisers)
                .withReplicas(LatentflowService.ORCHESTRATOR, orchestrators));
            long started = System.nanoTime();
            launcher.up(Duration.ofSeconds(timeoutSeconds));
            System.out.printf("services up in %.1f s%n", (System.nanoTime() - started) / 1e9);
            launcher.status().forEach(status -> System.out.println(status.describe()));
            return 0;
        }
    }

    /** {@code latentflow services status}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show whether each service runs and is ready; exit status 0 only when all are.")
    static final class Status implements Callable<Integer> {

        @Override
        public Integer call() {
            List<ComponentStatus> statuses = CliEnvironment.detect().services().status();
            statuses.forEach(status -> System.out.println(status.describe()));
            return statuses.stream().allMatch(ComponentStatus::ready) ? 0 : 3;
        }
    }

    /** {@code latentflow services down}. */
    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the services.")
    static final class Down implements Callable<Integer> {

        @Override
        public Integer call() throws Exception {
            List<String> stopped = CliEnvironment.detect().services().down();
            System.out.println(stopped.isEmpty() ? "no service was running" : "stopped " + String.join(", ", stopped));
            return 0;
        }
    }

    static ServiceLauncher launcher(String otlpEndpoint) {
        ServiceLauncher launcher = CliEnvironment.detect().services();
        if (otlpEndpoint == null || otlpEndpoint.isBlank()) {
            return launcher;
        }
        return new ServiceLauncher(launcher.config().withOtlpEndpoint(Optional.of(otlpEndpoint)));
    }
}
