package io.latentflow.cli;

import io.latentflow.deploy.ComponentStatus;
import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.LocalStack;
import io.latentflow.deploy.StackConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code latentflow stack up|status|down}: the local Kafka broker and S3 server. */
@Command(
    name = "stack",
    mixinStandardHelpOptions = true,
    description = "The local stack: an Apache Kafka broker (KRaft) and an S3-compatible server (S3Proxy) on 127.0.0.1.",
    subcommands = {StackCommand.Up.class, StackCommand.Status.class, StackCommand.Down.class})
public final class StackCommand {

    /** {@code latentflow stack up}. */
    @Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start Kafka and S3 (unless running), create the topics and the bucket.")
    static final class Up implements Callable<Integer> {

        @Option(names = "--kafka-port", description = "Kafka client port (env LATENTFLOW_KAFKA_PORT, default 9092)")
        Integer kafkaPort;

        @Option(names = "--controller-port",
            description = "Kafka KRaft controller port (env LATENTFLOW_KAFKA_CONTROLLER_PORT, default 9093)")
        Integer controllerPort;

        @Option(names = "--s3-port", description = "S3 port (env LATENTFLOW_S3_PORT, default 9000)")
        Integer s3Port;

        @Option(names = "--timeout", defaultValue = "120", description = "seconds to wait for readiness (default ${DEFAULT-VALUE})")
        long timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            CliEnvironment environment = CliEnvironment.detect();
            StackConfig base = environment.stackConfig();
            StackConfig config = base.withPorts(
                kafkaPort != null ? kafkaPort : base.kafkaPort(),
                controllerPort != null ? controllerPort : base.controllerPort(),
                s3Port != null ? s3Port : base.s3Port());
            LocalStack stack = environment.localStack(config);
            long started = System.nanoTime();
            Endpoints endpoints = stack.up(Duration.ofSeconds(timeoutSeconds));
            System.out.printf("stack up in %.1f s (state in %s)%n", (System.nanoTime() - started) / 1e9, config.home());
            System.out.println("  kafka  " + endpoints.kafkaBootstrapServers());
            System.out.println("  s3     " + endpoints.s3Endpoint() + "  bucket " + endpoints.bucket()
                + "  access key " + endpoints.accessKey());
            return 0;
        }
    }

    /** {@code latentflow stack status}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show whether Kafka and S3 run and answer; exit status 0 only when both are up.")
    static final class Status implements Callable<Integer> {

        @Override
        public Integer call() {
            CliEnvironment environment = CliEnvironment.detect();
            List<ComponentStatus> statuses = environment.localStack(environment.stackConfig()).status();
            statuses.forEach(status -> System.out.println(status.describe()));
            return statuses.stream().allMatch(ComponentStatus::ready) ? 0 : 3;
        }
    }

    /** {@code latentflow stack down}. */
    @Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop the services (if running), then Kafka and S3 (SIGTERM, SIGKILL after a deadline). Data is kept.")
    static final class Down implements Callable<Integer> {

        @Override
        public Integer call() throws Exception {
            CliEnvironment environment = CliEnvironment.detect();
            List<String> services = environment.services().down();
            List<String> servers = environment.localStack(environment.stackConfig()).down();
            if (services.isEmpty() && servers.isEmpty()) {
                System.out.println("nothing was running");
            } else {
                List<String> stopped = new ArrayList<>(services);
                stopped.addAll(servers);
                System.out.println("stopped " + String.join(", ", stopped));
            }
            return 0;
        }
    }
}
