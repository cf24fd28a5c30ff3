package io.latentflow.cli;

import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.LocalStack;
import io.latentflow.deploy.ServiceLauncher;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ImageResult;
import io.latentflow.proto.ModelRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code latentflow demo}: starts the local stack and the services, sends one job through Kafka, waits for its
 * completed event and saves the image.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Start everything on this machine and generate one image through Kafka.",
        "Starts Kafka, S3 and the four services with the shipped shapes model, sends one job, waits for its",
        "completed event and saves the image. Everything keeps running afterwards; stop it with:",
        "./latentflow stack down. With LATENTFLOW_KAFKA / LATENTFLOW_S3_ENDPOINT set, those are used and no local",
        "stack is started."})
public final class DemoCommand implements Callable<Integer> {

    static final String DEFAULT_PROMPT = "a large red circle on a blue background";
    /** The refiner shipped beside the services' default model, models/shapes-refiner/. */
    static final String DEFAULT_REFINER = "shapes-refiner";

    @Mixin
    JobOptions job;

    @Option(names = {"-o", "--out"}, defaultValue = "latentflow-demo.png", description = "where to save the image (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--otlp-endpoint", description = "OTLP endpoint for the services' traces (env LATENTFLOW_OTLP_ENDPOINT)")
    String otlpEndpoint;

    @Option(names = "--timeout", defaultValue = "900", description = "seconds to wait for the job (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        CliEnvironment environment = CliEnvironment.detect();
        long started = System.nanoTime();
        if (Endpoints.externalInEnvironment()) {
            System.out.println("[1/4] using Kafka " + environment.endpoints().kafkaBootstrapServers()
                + " and S3 " + environment.endpoints().s3Endpoint() + " from the environment");
        } else {
            System.out.println("[1/4] starting the local stack (Kafka, S3)");
            LocalStack stack = environment.localStack(environment.stackConfig());
            stack.up(Duration.ofSeconds(180));
        }
        Endpoints endpoints = environment.endpoints();
        System.out.printf("      kafka %s, s3 %s bucket %s (%.1f s)%n", endpoints.kafkaBootstrapServers(),
            endpoints.s3Endpoint(), endpoints.bucket(), seconds(started));

        System.out.println("[2/4] starting the services (text encoder, denoiser, VAE, orchestrator)");
        ServiceLauncher services = ServicesCommand.launcher(otlpEndpoint);
        services.up(Duration.ofSeconds(300));
        System.out.printf("      ready (%.1f s); logs in %s%n", seconds(started), services.config().logDir());

        GenerationRequest request = withDemoDefaults(job.toRequest());
        System.out.println("[3/4] submitting job " + request.getJobId() + " to latentflow.generation.requests:");
        System.out.println("      " + GenerationJobClient.toJson(request).replace("\n", "\n      "));
        GenerationEvent end;
        try (GenerationJobClient client = new GenerationJobClient(endpoints);
             EventPrinter printer = new EventPrinter(System.out, false, System.console() != null)) {
            long submitted = System.nanoTime();
            client.submit(request);
            Optional<GenerationEvent> last = client.follow(request.getJobId(), Duration.ofSeconds(timeoutSeconds),
                printer);
            if (last.isEmpty()) {
                System.err.println("job " + request.getJobId() + " did not end within " + timeoutSeconds
                    + " s; see the logs in " + services.config().logDir());
                return 4;
            }
            end = last.get();
            System.out.printf("      job ended in %.1f s%n", seconds(submitted));
        }
        if (end.getType() != EventType.COMPLETED || end.getCompleted().getImagesCount() == 0) {
            System.err.println("the job did not complete; see the logs in " + services.config().logDir());
            return 1;
        }
        ImageResult image = end.getCompleted().getImages(0);
        new ImageDownloader(endpoints).download(image.getKey(), out);
        System.out.println("[4/4] image s3://" + endpoints.bucket() + "/" + image.getKey() + " saved to "
            + out.toAbsolutePath());
        System.out.printf("demo done in %.1f s; everything keeps running (./latentflow stack status, ./latentflow stack down)%n",
            seconds(started));
        return 0;
    }

    /**
     * The demo's request: the user's options, with a default prompt and seed so that the demo is repeatable, and on
     * the default model its refiner.
     */
    static GenerationRequest withDemoDefaults(GenerationRequest request) {
        GenerationRequest.Builder builder = request.toBuilder();
        if (!builder.hasModel() && !builder.hasRefiner()) {
            builder.setRefiner(ModelRef.newBuilder().setName(DEFAULT_REFINER));
        }
        if (builder.getPrompt().isEmpty()) {
            builder.setPrompt(DEFAULT_PROMPT);
        }
        if (!builder.hasSeed()) {
            builder.setSeed(42);
        }
        return builder.build();
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
