package io.latentflow.service.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the services' gRPC tests: the tiny-sd reference tensors, read once per class, and a plaintext channel to
 * the service under test (gRPC shares its HTTP port), opened for each test.
 */
public abstract class ServiceGrpcTest {

    /** Deadline of one call, generous for a model loading on a busy machine. */
    protected static final long CALL_DEADLINE_SECONDS = 60;

    protected static NDManager manager;
    protected static Map<String, NDArray> oracle;

    @TestHTTPResource("/")
    protected URL root;

    protected ManagedChannel channel;

    @BeforeAll
    static void readOracle() {
        manager = NDManager.newBaseManager();
        oracle = PipelineOracle.read(manager);
    }

    @AfterAll
    static void closeOracle() {
        manager.close();
    }

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", root.getPort()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
