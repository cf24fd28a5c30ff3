package io.latentflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointsTest {

    @TempDir
    Path home;

    private StackConfig stack(Map<String, String> env) {
        return StackConfig.fromEnvironment(new RepositoryLayout(home), env).withHome(home);
    }

    @Test
    void defaultsAreTheAgreedPortsCredentialsAndBucket() {
        Endpoints endpoints = Endpoints.resolve(stack(Map.of()), Map.of());
        assertEquals(new Endpoints("127.0.0.1:9092", "http://127.0.0.1:9000", "latentflow", "latentflow-secret",
            "latentflow"), endpoints);
    }

    @Test
    void stackPortVariablesMoveTheLocalServers() {
        StackConfig config = stack(Map.of("LATENTFLOW_KAFKA_PORT", "29092", "LATENTFLOW_S3_PORT", "29000",
            "LATENTFLOW_S3_BUCKET", "images"));
        assertEquals("127.0.0.1:29092", config.kafkaBootstrapServers());
        assertEquals("http://127.0.0.1:29000", config.s3Endpoint());
        assertEquals("images", config.bucket());
    }

    @Test
    void runningStackIsFoundThroughItsRecordedEndpointsAndEnvironmentWinsOverThem() throws Exception {
        StackConfig config = stack(Map.of());
        new Endpoints("127.0.0.1:39092", "http://127.0.0.1:39000", "a", "b", "c")
            .write(config.runDir().resolve(Endpoints.FILE_NAME));
        assertEquals("127.0.0.1:39092", Endpoints.resolve(config, Map.of()).kafkaBootstrapServers());
        assertEquals(39092, config.withRecordedPorts().kafkaPort());
        assertEquals(39000, config.withRecordedPorts().s3Port());
        Endpoints external = Endpoints.resolve(config, Map.of("LATENTFLOW_KAFKA", "kafka.internal:9092",
            "LATENTFLOW_S3_ENDPOINT", "https://minio.internal", "LATENTFLOW_S3_SECRET_KEY", "s3cr3t"));
        assertEquals(new Endpoints("kafka.internal:9092", "https://minio.internal", "a", "s3cr3t", "c"), external);
    }

    @Test
    void malformedPortVariableIsRejectedByName() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
            () -> stack(Map.of("LATENTFLOW_S3_PORT", "nine")));
        assertEquals("LATENTFLOW_S3_PORT must be a port number, got 'nine'", failure.getMessage());
    }
}
