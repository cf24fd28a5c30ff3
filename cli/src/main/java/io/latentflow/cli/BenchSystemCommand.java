package io.latentflow.cli;

import ai.djl.ndarray.NDManager;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.pipeline.LatentDiffusionPipeline;
import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.LatentflowService;
import io.latentflow.deploy.ServiceInstance;
import io.latentflow.deploy.ServiceLauncher;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.Timings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code latentflow bench-system}: the same job in this JVM and through the whole system (Kafka, orchestrator,
 * services), then bursts of concurrent jobs, with one and with several denoiser replicas; every figure measured in
 * this run, throughput as a ratio to one job at a time.
 */
@Command(name = "bench-system", mixinStandardHelpOptions = true, description = {
    "Measure the system on the default model: single-job latency in-process vs distributed, images/s at each",
    "concurrency (bursts of jobs on the requests topic), p50/p99 job latency, a job's time by stage, the mean UNet",
    "pass and its samples, for each denoiser replica count. Starts the local stack if needed and restarts the services."})
public final class BenchSystemCommand implements Callable<Integer> {

    @Option(names = "--prompt", defaultValue = DemoCommand.DEFAULT_PROMPT, description = "prompt of every job")
    String prompt;

    @Option(names = "--steps", defaultValue = "20", description = "sampling steps per job (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,2,4,8,16",
        description = "jobs in flight per burst (default ${DEFAULT-VALUE})")
    int[] concurrency;

    @Option(names = "--rounds", defaultValue = "2", description = "bursts per concurrency level (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--denoisers", split = ",", defaultValue = "1,2",
        description = "denoiser replica counts to measure (default ${DEFAULT-VALUE})")
    int[] denoisers;

    @Option(names = "--repeats", defaultValue = "3", description = "timed single jobs (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--warmup", defaultValue = "5",
        description = "untimed jobs first, in-process and on the services, while models load and the JIT compiles "
            + "(default ${DEFAULT-VALUE})")
    int warmup;

    private static final long SEED = 42;
    private static final Duration BURST_TIMEOUT = Duration.ofMinutes(15);
    /** latentflow_denoiser_batch_samples_{count,sum} and _bucket{le="N"} lines of the Prometheus exposition. */
    private static final Pattern BATCH_SAMPLE = Pattern.compile(
        "latentflow_denoiser_batch_samples_(count|sum|bucket)(?:\\{[^}]*le=\"([^\"]+)\"[^}]*\\}|\\{[^}]*\\})? (\\S+)");

    @Override
    public Integer call() throws Exception {
        CliEnvironment environment = CliEnvironment.detect();
        if (!Endpoints.externalInEnvironment()) {
            environment.localStack(environment.stackConfig()).up(Duration.ofSeconds(180));
        }
        double inProcess = inProcessSeconds(environment.layout().models().resolve("shapes"));
        System.out.printf("in-process (this JVM, models/shapes): %.3f s per job (median of %d, %d steps)%n",
            inProcess, repeats, steps);
        ServiceLauncher base = environment.services();
        for (int replicas : denoisers) {
            ServiceLauncher services = new ServiceLauncher(base.config().withReplicas(LatentflowService.DENOISER, replicas));
            services.down();
            services.up(Duration.ofSeconds(300));
            System.out.printf("%n%d denoiser replica(s), orchestrator workers as configured "
                + "(LATENTFLOW_SERVICE_JVM_OPTS=-Dorchestrator.workers=N to change)%n", replicas);
            try (GenerationJobClient client = new GenerationJobClient(environment.endpoints())) {
                for (int i = 0; i < warmup; i++) {
                    burst(client, 1);
                }
                double[] single = new double[repeats];
                PassTimes passesBefore = PassTimes.read(services);
                double denoiseMs = 0;
                for (int i = 0; i < repeats; i++) {
                    Burst one = burst(client, 1);
                    single[i] = one.latencies()[0];
                    denoiseMs += one.stages().denoiseMs();
                }
                double distributed = median(single);
                System.out.printf("  single job: distributed %.3f s, in-process %.3f s, ratio %.2f%n", distributed,
                    inProcess, distributed / inProcess);
                System.out.println("  " + PassTimes.read(services).since(passesBefore, denoiseMs / (repeats * (double) steps)));
                System.out.println("  jobs in flight | images/s | x one at a time | p50 s | p99 s | a job's ms: text, sampling,"
                    + " VAE, rest | UNet pass ms | UNet ms per sample (x one at a time) | samples per UNet pass: mean,"
                    + " share of passes by batch size");
                double baseline = 0;
                double aloneMsPerSample = 0;
                for (int level : concurrency) {
                    Map<String, Double> before = batchCounts(services);
                    PassTimes timesBefore = PassTimes.read(services);
                    List<Double> latencies = new ArrayList<>();
                    double seconds = 0;
                    Stages stages = Stages.NONE;
                    for (int round = 0; round < rounds; round++) {
                        Burst result = burst(client, level);
                        seconds += result.seconds();
                        Arrays.stream(result.latencies()).forEach(latencies::add);
                        stages = stages.plus(result.stages());
                    }
                    Map<String, Double> after = batchCounts(services);
                    double passMs = PassTimes.read(services).computeMsPerPassSince(timesBefore);
                    double imagesPerSecond = latencies.size() / seconds;
                    baseline = baseline == 0 ? imagesPerSecond : baseline;
                    // the gain batching can give at most while the UNet bounds the system: its cost per sample
                    double msPerSample = passMs / meanSamples(before, after);
                    aloneMsPerSample = aloneMsPerSample == 0 ? msPerSample : aloneMsPerSample;
                    double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    System.out.printf("  %14d | %8.2f | %15.2f | %5.2f | %5.2f | %s | %5.1f | %5.1f (%4.2fx) | %s%n",
                        level, imagesPerSecond, imagesPerSecond / baseline, percentile(sorted, 0.5),
                        percentile(sorted, 0.99), stages.perJob(latencies), passMs, msPerSample,
                        aloneMsPerSample / msPerSample, batchSizes(before, after));
                }
            }
        }
        return 0;
    }

    /** Median seconds of one job in this JVM on the highest version of {@code model}, after the untimed runs. */
    private double inProcessSeconds(Path model) throws IOException {
        Path folder;
        try (Stream<Path> versions = Files.list(model)) {
            folder = versions.filter(Files::isDirectory)
                .max((a, b) -> Integer.compare(version(a), version(b)))
                .orElseThrow(() -> new IllegalStateException("no version of the default model under " + model));
        }
        try (NDManager manager = NDManager.newBaseManager();
             LatentDiffusionPipeline pipeline = LatentDiffusionPipeline.load(folder, ModelOptions.defaults())) {
            io.latentflow.core.pipeline.GenerationRequest request =
                io.latentflow.core.pipeline.GenerationRequest.builder(prompt).steps(steps).seeds(SEED).build();
            double[] seconds = new double[warmup + repeats];
            for (int i = 0; i < seconds.length; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    long started = System.nanoTime();
                    pipeline.generate(request, scope);
                    seconds[i] = (System.nanoTime() - started) / 1e9;
                }
            }
            return median(Arrays.copyOfRange(seconds, warmup, seconds.length));
        }
    }

    /**
     * Seconds from submitting to the end of each of {@code count} jobs put on the topic at once, and in all; the time
     * the jobs spent in each stage, as their completed events report.
     */
    private record Burst(double seconds, double[] latencies, Stages stages) {
    }

    /** Milliseconds spent in the text encoder, the sampling loop and the VAE, summed over jobs. */
    private record Stages(double textMs, double denoiseMs, double vaeMs) {

        static final Stages NONE = new Stages(0, 0, 0);

        Stages plus(Stages other) {
            return new Stages(textMs + other.textMs, denoiseMs + other.denoiseMs, vaeMs + other.vaeMs);
        }

        Stages plus(Timings timings) {
            return plus(new Stages(timings.getTextEncoderMs(), timings.getDenoiseMs(), timings.getVaeMs()));
        }

        /** A job's mean milliseconds per stage, and the rest of its latency (queueing, Kafka, S3, images). */
        String perJob(List<Double> latencies) {
            double jobs = latencies.size();
            double restMs = 1e3 * latencies.stream().mapToDouble(Double::doubleValue).sum() - textMs - denoiseMs - vaeMs;
            return String.format("%4.0f, %5.0f, %4.0f, %5.0f", textMs / jobs, denoiseMs / jobs, vaeMs / jobs,
                restMs / jobs);
        }
    }

    private Burst burst(GenerationJobClient client, int count) throws Exception {
        Map<String, Long> submitted = new HashMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            GenerationRequest job = GenerationRequest.newBuilder().setJobId("bench-" + UUID.randomUUID())
                .setPrompt(prompt).setSteps(steps).setSeed(SEED + i).build();
            client.submit(job);
            submitted.put(job.getJobId(), System.nanoTime());
        }
        List<Double> latencies = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Stages[] stages = {Stages.NONE};
        Set<String> late = client.awaitEnds(submitted.keySet(), BURST_TIMEOUT, event -> {
            latencies.add((System.nanoTime() - submitted.get(event.getJobId())) / 1e9);
            stages[0] = stages[0].plus(event.getCompleted().getTimings());
            if (event.getType() != EventType.COMPLETED) {
                failures.add(event.getJobId() + ": " + describe(event));
            }
        });
        if (!late.isEmpty() || !failures.isEmpty()) {
            throw new IllegalStateException("jobs did not complete: " + failures + (late.isEmpty() ? ""
                : ", still running after " + BURST_TIMEOUT.toMinutes() + " min: " + late));
        }
        return new Burst((System.nanoTime() - started) / 1e9,
            latencies.stream().mapToDouble(Double::doubleValue).toArray(), stages[0]);
    }

    private static String describe(GenerationEvent event) {
        return event.getType() + " " + event.getFailure().getField() + " " + event.getFailure().getReason();
    }

    /**
     * The batch-size summary of every denoiser replica, summed: passes ("count"), samples ("sum") and the cumulative
     * histogram buckets (by their upper bound, "le").
     */
    private static Map<String, Double> batchCounts(ServiceLauncher services) throws IOException, InterruptedException {
        Map<String, Double> counts = new TreeMap<>();
        for (ServiceInstance instance : services.instances()) {
            if (instance.service() == LatentflowService.DENOISER) {
                for (String line : services.metrics(instance).split("\n")) {
                    Matcher sample = BATCH_SAMPLE.matcher(line);
                    if (sample.matches()) {
                        String key = sample.group(1).equals("bucket") ? sample.group(2) : sample.group(1);
                        counts.merge(key, Double.parseDouble(sample.group(3)), Double::sum);
                    }
                }
            }
        }
        return counts;
    }

    /** Mean samples per UNet pass between two readings (NaN without a pass). */
    private static double meanSamples(Map<String, Double> before, Map<String, Double> after) {
        double passes = delta(before, after, "count");
        return passes == 0 ? Double.NaN : delta(before, after, "sum") / passes;
    }

    /** Mean samples per pass between two readings, and the share of passes of each batch size. */
    private static String batchSizes(Map<String, Double> before, Map<String, Double> after) {
        double passes = delta(before, after, "count");
        if (passes == 0) {
            return "no UNet pass";
        }
        StringBuilder text = new StringBuilder(String.format("%.2f", meanSamples(before, after)));
        TreeMap<Double, String> buckets = new TreeMap<>();
        after.keySet().stream().filter(key -> !key.equals("count") && !key.equals("sum") && !key.equals("+Inf"))
            .forEach(key -> buckets.put(Double.parseDouble(key), key));
        double below = 0;
        long lower = 0;
        for (Map.Entry<Double, String> bucket : buckets.entrySet()) {
            double upTo = delta(before, after, bucket.getValue());
            long upper = bucket.getKey().longValue();
            if (upTo > below) {
                String size = upper == lower + 1 ? Long.toString(upper) : (lower + 1) + "-" + upper;
                text.append(String.format(", %s: %.0f%%", size, 100 * (upTo - below) / passes));
            }
            below = upTo;
            lower = upper;
        }
        return text.toString();
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    private static int version(Path folder) {
        try {
            return Integer.parseInt(folder.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return percentile(sorted, 0.5);
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
