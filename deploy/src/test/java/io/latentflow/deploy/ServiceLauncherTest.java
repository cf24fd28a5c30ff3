package io.latentflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceLauncherTest {

    @TempDir
    Path repo;

    private ServicesConfig config(Optional<String> otlp) {
        return config(otlp, "");
    }

    private ServicesConfig config(Optional<String> otlp, String jvmOptions) {
        Endpoints endpoints = new Endpoints("127.0.0.1:19092", "http://127.0.0.1:19000", "key", "secret", "bucket-1");
        return new ServicesConfig(new RepositoryLayout(repo), repo.resolve(".latentflow"),
            Map.of(LatentflowService.DENOISER, 18082, LatentflowService.TEXT_ENCODER, 18081),
            endpoints, repo.resolve("models"), otlp, jvmOptions, Optional.empty(), Map.of());
    }

    @Test
    void servicesSharingAMachineSplitItsCoresAndLeaveOneToTheRest() {
        ServiceLauncher two = new ServiceLauncher(config(Optional.empty()));
        for (LatentflowService service : LatentflowService.values()) {
            assertEquals(1, two.intraOpThreads(service, 2), service + " on 2 cores");
        }
        ServiceLauncher three = new ServiceLauncher(
            config(Optional.empty()).withReplicas(LatentflowService.DENOISER, 3));
        assertEquals(5, three.intraOpThreads(LatentflowService.DENOISER, 16), "each of 3 replicas on 16 cores");
        assertEquals(15, three.intraOpThreads(LatentflowService.VAE, 16));
        assertEquals(15, three.intraOpThreads(LatentflowService.TEXT_ENCODER, 16));
        assertEquals(1, three.intraOpThreads(LatentflowService.ORCHESTRATOR, 16));
        assertEquals(1, three.intraOpThreads(LatentflowService.DENOISER, 3), "never none");
        assertTrue(three.systemProperties(LatentflowService.DENOISER).containsKey(ServiceLauncher.THREADS));

        ServiceLauncher chosen = new ServiceLauncher(
            config(Optional.empty(), "-Xmx2g -Dai.djl.pytorch.num_threads=4"));
        assertFalse(chosen.systemProperties(LatentflowService.DENOISER).containsKey(ServiceLauncher.THREADS),
            "a thread count in LATENTFLOW_SERVICE_JVM_OPTS is left to apply");
    }

    @Test
    void servicesCompileWithC1UnlessTheUserSaysOtherwise() {
        List<String> defaults = new ServiceLauncher(config(Optional.empty())).jvmOptions();
        assertTrue(defaults.contains("-XX:TieredStopAtLevel=1"), defaults::toString);

        List<String> chosen = new ServiceLauncher(config(Optional.empty(), " -XX:TieredStopAtLevel=4  -Xmx2g"))
            .jvmOptions();
        assertEquals(List.of("-XX:TieredStopAtLevel=4", "-Xmx2g"), chosen.subList(chosen.size() - 2, chosen.size()),
            "the user's options come last, where the JVM takes them over the defaults");
    }

    @Test
    void orchestratorIsPointedAtEveryServicePortAndTheStack() {
        Map<String, String> properties = new ServiceLauncher(config(Optional.empty()))
            .systemProperties(LatentflowService.ORCHESTRATOR);
        assertEquals("8080", properties.get("quarkus.http.port"));
        assertEquals("127.0.0.1", properties.get("quarkus.http.host"));
        assertEquals("18081", properties.get("quarkus.grpc.clients.textencoder.port"));
        assertEquals("18082", properties.get("quarkus.grpc.clients.denoiser.port"));
        assertEquals("8083", properties.get("quarkus.grpc.clients.vae.port"));
        assertEquals("127.0.0.1:19092", properties.get("kafka.bootstrap.servers"));
        assertEquals("http://127.0.0.1:19000", properties.get("orchestrator.storage.endpoint"));
        assertEquals("bucket-1", properties.get("orchestrator.storage.bucket"));
        assertEquals(repo.resolve("models").toString(), properties.get("orchestrator.models-root"));
        assertFalse(properties.containsKey("latentflow.otlp.endpoint"), "no tracing unless asked for");
        assertFalse(new ServiceLauncher(config(Optional.empty())).environment().containsKey("LATENTFLOW_OTLP_ENDPOINT"));
    }

    @Test
    void orchestratorGetsAKeysFileWithARandomKeyOfItsOwn() throws Exception {
        Map<String, String> properties = new ServiceLauncher(config(Optional.empty()))
            .systemProperties(LatentflowService.ORCHESTRATOR);
        Path keys = Path.of(properties.get("orchestrator.api.keys-file"));
        assertEquals(repo.resolve(".latentflow/api-keys").toAbsolutePath().normalize(), keys);
        String key = LocalApiKeys.key(repo.resolve(".latentflow"));
        assertTrue(key.matches("[0-9a-f]{48}"), key);
        assertEquals(key, LocalApiKeys.key(repo.resolve(".latentflow")), "made once, then read");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        Path other = Files.createDirectories(repo.resolve("other-home"));
        assertFalse(key.equals(LocalApiKeys.key(other)), "every home has its own key");
    }

    @Test
    void denoiserGetsItsPortModelRootStoreAndTracing() {
        Map<String, String> properties = new ServiceLauncher(config(Optional.of("http://127.0.0.1:4318")))
            .systemProperties(LatentflowService.DENOISER);
        assertEquals("18082", properties.get("quarkus.http.port"));
        assertEquals(repo.resolve("models").toString(), properties.get("denoiser.models.root"));
        assertEquals("http://127.0.0.1:19000", properties.get("denoiser.store.endpoint"));
        assertEquals("secret", properties.get("denoiser.store.secret-key"));
        assertEquals("http://127.0.0.1:4318", properties.get("latentflow.otlp.endpoint"));
    }

    @Test
    void tlsNeedsAllThreeFilesAndNamesTheMissingOnes() {
        assertEquals(Optional.empty(), GrpcTls.fromEnvironment(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> GrpcTls.fromEnvironment(Map.of("LATENTFLOW_GRPC_TLS_CERT", "/tls/tls.crt")));
        assertTrue(e.getMessage().endsWith("missing: LATENTFLOW_GRPC_TLS_KEY LATENTFLOW_GRPC_TLS_CA"), e.getMessage());
    }

    @Test
    void denoiserReplicasRunOnTheirOwnPortsAndTheOrchestratorBalancesOverAll() {
        ServiceLauncher launcher = new ServiceLauncher(config(Optional.empty()).withReplicas(LatentflowService.DENOISER, 3));
        List<ServiceInstance> denoisers = launcher.instances().stream()
            .filter(instance -> instance.service() == LatentflowService.DENOISER).toList();
        assertEquals(List.of("denoiser-service", "denoiser-service-2", "denoiser-service-3"),
            denoisers.stream().map(ServiceInstance::name).toList());
        assertEquals("18092", launcher.systemProperties(denoisers.get(1)).get("quarkus.http.port"));
        assertTrue(launcher.systemProperties(denoisers.get(2)).get("denoiser.models.cache-dir")
            .endsWith("denoiser-service-3"), "each replica downloads into its own cache");

        Map<String, String> orchestrator = launcher.systemProperties(LatentflowService.ORCHESTRATOR);
        assertEquals("stork", orchestrator.get("quarkus.grpc.clients.denoiser.name-resolver"));
        assertEquals("denoiser", orchestrator.get("quarkus.grpc.clients.denoiser.host"));
        assertEquals("127.0.0.1:18082,127.0.0.1:18092,127.0.0.1:18102",
            orchestrator.get("quarkus.stork.denoiser.service-discovery.address-list"));
        assertEquals("power-of-two-choices", orchestrator.get("quarkus.stork.denoiser.load-balancer.type"));
        assertFalse(new ServiceLauncher(config(Optional.empty())).systemProperties(LatentflowService.ORCHESTRATOR)
            .containsKey("quarkus.grpc.clients.denoiser.name-resolver"), "one denoiser: a plain address");
    }

    @Test
    void environmentCarriesTheSameSettings() {
        Map<String, String> env = new ServiceLauncher(config(Optional.empty())).environment();
        assertEquals("127.0.0.1:19092", env.get("LATENTFLOW_KAFKA"));
        assertEquals("http://127.0.0.1:19000", env.get("LATENTFLOW_S3_ENDPOINT"));
        assertEquals("18082", env.get("LATENTFLOW_DENOISER_PORT"));
        assertEquals("8080", env.get("LATENTFLOW_ORCHESTRATOR_PORT"));
    }

    @Test
    void unbuiltServiceFailsWithTheBuildCommand() {
        ServiceLauncher launcher = new ServiceLauncher(config(Optional.empty()));
        IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> launcher.start(LatentflowService.VAE));
        assertTrue(failure.getMessage().contains("vae-service/target/quarkus-app/quarkus-run.jar"), failure.getMessage());
        assertTrue(failure.getMessage().contains("mvn -B -q install -DskipTests"), failure.getMessage());
        assertTrue(launcher.status().stream().noneMatch(ComponentStatus::running));
    }
}
