package io.latentflow.deploy;

import io.latentflow.proto.Topics;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM) run as a separate process:
 * its storage is formatted once with {@code kafka.tools.StorageTool}, then {@code kafka.Kafka} serves it.
 */
public final class KafkaBroker {

    private static final String JVM_HEAP = "-Xmx512m";

    private final StackConfig config;
    private final BackgroundProcess process;

    public KafkaBroker(StackConfig config) {
        this.config = config;
        this.process = new BackgroundProcess("kafka", config.runDir(), config.logDir());
    }

    public BackgroundProcess process() {
        return process;
    }

    private Path dir() {
        return config.stackDir().resolve("kafka");
    }

    private Path dataDir() {
        return dir().resolve("data");
    }

    private Path serverProperties() {
        return dir().resolve("server.properties");
    }

    private Path log4jConfig() {
        return dir().resolve("log4j2.properties");
    }

    private Path classpathDir() {
        return config.runtime().resolve("kafka");
    }

    /** Starts the broker unless it already runs; returns without waiting for readiness. */
    public void start() throws IOException, InterruptedException {
        if (process.running().isPresent()) {
            return;
        }
        requireClasspath();
        PortCheck.requireFree(config.host(), config.kafkaPort(), "kafka", "LATENTFLOW_KAFKA_PORT");
        PortCheck.requireFree(config.host(), config.controllerPort(), "kafka controller", "LATENTFLOW_KAFKA_CONTROLLER_PORT");
        writeConfig();
        if (!Files.isRegularFile(dataDir().resolve("meta.properties"))) {
            format();
        }
        process.startJava(jvmOptions(), List.of("kafka.Kafka", serverProperties().toString()), dir());
    }

    /** Waits until the broker answers describeCluster, failing early when its process dies. */
    public void awaitReady(Duration timeout) throws InterruptedException, TimeoutException {
        try (Admin admin = admin()) {
            Await.until("kafka at " + config.kafkaBootstrapServers(), timeout, Duration.ofMillis(250),
                () -> answers(admin), () -> process.running().isEmpty());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; last lines of " + process.logFile() + ":\n"
                + process.logTail(30), e);
        }
    }

    /** Whether the broker answers describeCluster now. */
    public boolean ready() {
        try (Admin admin = admin()) {
            return answers(admin);
        }
    }

    /** Creates every topic of {@link Topics#ALL} that does not exist yet. */
    public void createTopics() throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : Topics.ALL) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, partitionsOf(topic, config.partitions()), (short) 1));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Stops the broker (SIGTERM, SIGKILL after {@code grace}); returns whether it was running. */
    public boolean stop(Duration grace) throws InterruptedException {
        return process.stop(grace);
    }

    public ComponentStatus status() {
        OptionalLong pid = process.running().map(handle -> OptionalLong.of(handle.pid())).orElse(OptionalLong.empty());
        boolean ready = pid.isPresent() && ready();
        return new ComponentStatus("kafka", pid, ready, config.kafkaBootstrapServers(), process.logFile());
    }

    private Admin admin() {
        return Admin.create(Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250));
    }

    private static boolean answers(Admin admin) {
        try {
            return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void requireClasspath() throws IOException {
        boolean present;
        try (Stream<Path> jars = Files.isDirectory(classpathDir()) ? Files.list(classpathDir()) : Stream.empty()) {
            present = jars.anyMatch(jar -> jar.getFileName().toString().startsWith("kafka_2.13-"));
        }
        if (!present) {
            throw new IllegalStateException("the Kafka broker's classpath is missing in " + classpathDir()
                + "; build it with: mvn -B -q -pl deploy -am install -DskipTests");
        }
    }

    private List<String> jvmOptions() {
        return List.of(
            "-Xms64m", JVM_HEAP, "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            "-Dlog4j2.configurationFile=" + log4jConfig(),
            "-cp", classpathDir() + File.separator + "*");
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(dataDir());
        Properties server = new Properties();
        String host = config.host();
        server.setProperty("process.roles", "broker,controller");
        server.setProperty("node.id", "1");
        server.setProperty("controller.quorum.voters", "1@" + host + ":" + config.controllerPort());
        server.setProperty("listeners",
            "PLAINTEXT://" + host + ":" + config.kafkaPort() + ",CONTROLLER://" + host + ":" + config.controllerPort());
        server.setProperty("advertised.listeners", "PLAINTEXT://" + host + ":" + config.kafkaPort());
        server.setProperty("controller.listener.names", "CONTROLLER");
        server.setProperty("inter.broker.listener.name", "PLAINTEXT");
        server.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        server.setProperty("log.dirs", dataDir().toString());
        server.setProperty("num.partitions", Integer.toString(config.partitions()));
        server.setProperty("offsets.topic.replication.factor", "1");
        server.setProperty("offsets.topic.num.partitions", "4");
        server.setProperty("transaction.state.log.replication.factor", "1");
        server.setProperty("transaction.state.log.min.isr", "1");
        server.setProperty("share.coordinator.state.topic.replication.factor", "1");
        server.setProperty("share.coordinator.state.topic.min.isr", "1");
        server.setProperty("group.initial.rebalance.delay.ms", "0");
        server.setProperty("auto.create.topics.enable", "true");
        try (var writer = Files.newBufferedWriter(serverProperties(), StandardCharsets.UTF_8)) {
            server.store(writer, "LatentFlow local stack: single-node KRaft broker");
        }
        Files.writeString(log4jConfig(), String.join("\n",
            "status = warn",
            "appender.console.type = Console",
            "appender.console.name = STDOUT",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = WARN",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            "logger.server.name = kafka.server",
            "logger.server.level = INFO",
            ""), StandardCharsets.UTF_8);
    }

    private void format() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(BackgroundProcess.javaExecutable().toString());
        command.addAll(jvmOptions());
        command.addAll(List.of("kafka.tools.StorageTool", "format",
            "-t", Uuid.randomUuid().toString(), "-c", serverProperties().toString()));
        Files.createDirectories(process.logFile().getParent());
        Process format = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(process.logFile().toFile()))
            .start();
        if (!format.waitFor(120, TimeUnit.SECONDS)) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting Kafka storage took more than 120 s");
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("formatting Kafka storage in " + dataDir() + " failed (exit "
                + format.exitValue() + "):\n" + process.logTail(20));
        }
    }

    /** Dead-letter topics get one partition; request and event topics get {@code partitions}. */
    static int partitionsOf(String topic, int partitions) {
        return topic.endsWith(".dlq") ? 1 : partitions;
    }
}
