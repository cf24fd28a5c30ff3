package io.latentflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.DatasetValidator;
import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.PortCheck;
import io.latentflow.deploy.RepositoryLayout;
import io.latentflow.deploy.S3Server;
import io.latentflow.deploy.StackConfig;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The dataset commands as a user runs them; uploads go to a real S3 server in a private state directory. */
class DatasetCommandTest {

    @TempDir
    Path home;

    private final StringWriter err = new StringWriter();
    private S3Server s3;

    @BeforeEach
    void useTemporaryHome() {
        System.setProperty(RepositoryLayout.HOME_PROPERTY, home.toString());
    }

    @AfterEach
    void restore() throws Exception {
        if (s3 != null) {
            s3.stop(Duration.ofSeconds(10));
        }
        System.clearProperty(RepositoryLayout.HOME_PROPERTY);
    }

    private int run(String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    /** Starts only the S3 server on free ports and records it as the running stack's, as {@code stack up} does. */
    private StackConfig startS3() throws Exception {
        StackConfig config = StackConfig.fromEnvironment(RepositoryLayout.detect()).withPorts(
            PortCheck.freePort("127.0.0.1"), PortCheck.freePort("127.0.0.1"), PortCheck.freePort("127.0.0.1"));
        s3 = new S3Server(config);
        s3.start();
        s3.awaitReady(Duration.ofSeconds(60));
        s3.createBucket();
        config.endpoints().write(config.runDir().resolve(Endpoints.FILE_NAME));
        return config;
    }

    private static TreeSet<String> keys(StackConfig config, String prefix) throws Exception {
        MinioClient client = MinioClient.builder().endpoint(config.s3Endpoint())
            .credentials(config.accessKey(), config.secretKey()).build();
        TreeSet<String> keys = new TreeSet<>();
        for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(config.bucket())
                .prefix(prefix).recursive(true).build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }

    @Test
    void shapesWritesAFolderTheValidatorAccepts(@TempDir Path dir) {
        Path out = dir.resolve("shapes");
        assertEquals(0, run("dataset", "shapes", "--count", "3", "--size", "32", "--seed", "4",
            "--out", out.toString()));
        Dataset dataset = new DatasetValidator(32, text -> 0, 77).validate(out);
        assertEquals(3, dataset.size());
    }

    @Test
    void uploadChecksTheFolderBeforeReachingTheObjectStore(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        assertEquals(Main.FAILURE, run("dataset", "upload", dir.resolve("empty").toString(), "--name", "x"));
        assertTrue(err.toString().contains("dataset '" + dir.resolve("empty") + "': metadata.jsonl not found"),
            err.toString());
    }

    @Test
    void uploadRejectsANameThatIsNotOneKeySegment(@TempDir Path dir) {
        assertEquals(Main.FAILURE, run("dataset", "upload", dir.toString(), "--name", "../models"));
        assertTrue(err.toString().contains("dataset name '../models' must be"), err.toString());
    }

    @Test
    void shapesWithANameUploadsImagesAndMetadataAndWillNotOverwriteWithoutReplace(@TempDir Path dir) throws Exception {
        StackConfig config = startS3();
        Path out = dir.resolve("shapes");
        assertEquals(0, run("dataset", "shapes", "--count", "3", "--out", out.toString(), "--name", "shapes-test"),
            err.toString());
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
            expected.add(String.format("datasets/shapes-test/images/%05d.png", i));
        }
        expected.add("datasets/shapes-test/metadata.jsonl");
        assertEquals(expected, keys(config, "datasets/shapes-test/"));

        assertEquals(Main.FAILURE, run("dataset", "upload", out.toString(), "--name", "shapes-test"));
        assertTrue(err.toString().contains("already holds a dataset; pass --replace"), err.toString());
        assertEquals(0, run("dataset", "upload", out.toString(), "--name", "shapes-test", "--replace"), err.toString());
        assertEquals(expected, keys(config, "datasets/shapes-test/"));
    }
}
