package io.latentflow.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.DatasetValidator;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import io.latentflow.core.text.ClipBpeLearner;
import io.latentflow.core.text.ClipTextConfig;
import io.latentflow.core.text.ClipTextModel;
import io.latentflow.core.train.FreshWeights;
import io.latentflow.core.train.TrainingCheckpoint;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.AutoencoderKlConfig;
import io.latentflow.deploy.Endpoints;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.Result;
import io.minio.UploadObjectArgs;
import io.minio.messages.Item;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code latentflow model}: a new architecture's folder, and model folders to and from the object store. */
@Command(name = "model", aliases = "models", mixinStandardHelpOptions = true,
    description = "Scaffold, list, import (upload), download and remove diffusers model folders.",
    subcommands = {ModelCommand.Scaffold.class, ModelCommand.ListModels.class, ModelCommand.Upload.class,
        ModelCommand.Download.class, ModelCommand.Remove.class, HelpCommand.class})
public final class ModelCommand implements Runnable {

    static final String MODELS = "models/";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void run() {
        System.out.println("latentflow model scaffold|list|import|download|rm; see --help");
    }

    /**
     * {@code model scaffold}: a built-in architecture's configs, a CLIP BPE tokenizer learnt from a dataset's
     * captions and fresh (untrained) weights: the starting point of training a model from nothing.
     */
    @Command(name = "scaffold", mixinStandardHelpOptions = true,
        description = "Write an architecture's configs and a tokenizer learnt from a dataset's captions.")
    static final class Scaffold implements Callable<Integer> {

        @Option(names = "--dataset", required = true, description = "a dataset folder (metadata.jsonl + images)")
        Path dataset;

        @Option(names = "--out", required = true, description = "the model folder to write")
        Path out;

        @Option(names = "--resolution", defaultValue = "64", description = "image side (default ${DEFAULT-VALUE})")
        int resolution;

        @Option(names = "--seed", defaultValue = "0", description = "seed of the fresh weights (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--architecture", defaultValue = "shapes",
            description = "built-in architecture (default ${DEFAULT-VALUE})")
        String architecture;

        @Override
        public Integer call() throws IOException {
            Dataset data = new DatasetValidator(resolution, text -> 0, Integer.MAX_VALUE).validate(dataset);
            List<String> captions = data.entries().stream().map(Dataset.Entry::caption).toList();
            String base = "architectures/" + architecture + "/";
            for (String file : List.of("model_index.json", "scheduler/scheduler_config.json", "unet/config.json",
                    "vae/config.json", "text_encoder/config.json")) {
                try (InputStream in = ModelCommand.class.getClassLoader().getResourceAsStream(base + file)) {
                    if (in == null) {
                        throw new IllegalArgumentException("no built-in architecture '" + architecture + "'");
                    }
                    Files.createDirectories(out.resolve(file).getParent());
                    Files.write(out.resolve(file), in.readAllBytes());
                }
            }
            Path textConfigFile = out.resolve("text_encoder/config.json");
            ObjectNode textConfig = (ObjectNode) JSON.readTree(textConfigFile.toFile());
            int length = textConfig.path("max_position_embeddings").asInt(77);
            int vocab = ClipBpeLearner.write(ClipBpeLearner.learn(captions, 10_000), out.resolve("tokenizer"), length);
            // the start and end tokens are the vocabulary's last two entries
            textConfig.put("vocab_size", vocab);
            textConfig.put("bos_token_id", vocab - 2);
            textConfig.put("eos_token_id", vocab - 1);
            textConfig.put("pad_token_id", vocab - 1);
            JSON.writerWithDefaultPrettyPrinter().writeValue(textConfigFile.toFile(), textConfig);
            // fresh weights, so that the folder is a complete (untrained) model every tool loads
            try (NDManager manager = NDManager.newBaseManager()) {
                writeWeights(out.resolve("unet"), FreshWeights.of(UNet2dConditionModel.parameterShapes(
                        UNet2dConditionConfig.load(out.resolve("unet/config.json"))), seed, manager));
                writeWeights(out.resolve("vae"), FreshWeights.of(AutoencoderKl.parameterShapes(
                        AutoencoderKlConfig.load(out.resolve("vae/config.json"))), seed + 1, manager));
                writeWeights(out.resolve("text_encoder"), FreshWeights.of(ClipTextModel.parameterShapes(
                        ClipTextConfig.read(textConfigFile)), seed + 2, manager));
            }
            System.out.printf("wrote %s: architecture %s with fresh weights, tokenizer of %d entries learnt from %d "
                    + "captions%n", out, architecture, vocab, captions.size());
            return 0;
        }
    }

    private static void writeWeights(Path componentDir, Map<String, NDArray> tensors) {
        SafetensorsWriter.write(componentDir.resolve(TrainingCheckpoint.weightsFileName(
                componentDir.getFileName().toString())), tensors);
    }

    /** {@code model upload}: a model folder to models/NAME/VERSION/, model_index.json last. */
    @Command(name = "upload", aliases = "import", mixinStandardHelpOptions = true,
        description = "Upload a model folder as models/NAME/VERSION/ (model_index.json last).")
    static final class Upload implements Callable<Integer> {

        @Parameters(index = "0", description = "the model folder")
        Path dir;

        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--version", defaultValue = "1")
        String version;

        @Override
        public Integer call() throws Exception {
            MinioClient client = client();
            String prefix = MODELS + name + "/" + version + "/";
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            Path index = dir.resolve("model_index.json");
            if (!Files.isRegularFile(index)) {
                throw new IllegalArgumentException(dir + " has no model_index.json");
            }
            for (Path f : files) {
                if (!f.equals(index)) {
                    put(client, prefix + dir.relativize(f).toString().replace('\\', '/'), f);
                }
            }
            put(client, prefix + "model_index.json", index);
            System.out.printf("uploaded %d files to s3://%s/%s%n", files.size(), CliEnvironment.detect().endpoints().bucket(),
                    prefix);
            return 0;
        }

        private static void put(MinioClient client, String key, Path file) throws Exception {
            client.uploadObject(UploadObjectArgs.builder().bucket(CliEnvironment.detect().endpoints().bucket()).object(key)
                .filename(file.toString()).build());
        }
    }

    /** {@code model download}: models/NAME/VERSION/ into a folder, weights optionally stored as float16. */
    @Command(name = "download", mixinStandardHelpOptions = true,
        description = "Download models/NAME/VERSION/ into a folder.")
    static final class Download implements Callable<Integer> {

        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--version", defaultValue = "1")
        String version;

        @Option(names = "--out", required = true)
        Path out;

        @Option(names = "--float16", description = "store floating-point weights as float16 (half the size)")
        boolean float16;

        @Override
        public Integer call() throws Exception {
            MinioClient client = client();
            String bucket = CliEnvironment.detect().endpoints().bucket();
            String prefix = MODELS + name + "/" + version + "/";
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                keys.add(r.get().objectName());
            }
            if (!keys.contains(prefix + "model_index.json")) {
                throw new IllegalArgumentException("no model at s3://" + bucket + "/" + prefix);
            }
            for (String key : keys) {
                Path file = out.resolve(key.substring(prefix.length()));
                Files.createDirectories(file.getParent());
                try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                    Files.write(file, in.readAllBytes());
                }
                if (float16 && file.toString().endsWith(".safetensors")) {
                    toFloat16(file);
                }
            }
            System.out.printf("downloaded %d files to %s%n", keys.size(), out);
            return 0;
        }

        private static void toFloat16(Path file) {
            try (NDManager manager = NDManager.newBaseManager()) {
                Map<String, NDArray> half = new LinkedHashMap<>();
                SafetensorsReader.read(file, manager).forEach((k, v) ->
                    half.put(k, v.getDataType().isFloating() ? v.toType(DataType.FLOAT16, false) : v));
                SafetensorsWriter.write(file, half);
            } catch (RuntimeException e) {
                throw new UncheckedIOException(new IOException("cannot convert " + file + ": " + e.getMessage(), e));
            }
        }
    }

    /** {@code model list}: the model versions jobs can name, in the models root and in the bucket. */
    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the models: folders under the models root, then versions in the bucket's models/.")
    static final class ListModels implements Callable<Integer> {

        @Override
        public Integer call() throws Exception {
            CliEnvironment environment = CliEnvironment.detect();
            Path root = environment.layout().models();
            if (Files.isDirectory(root)) {
                try (Stream<Path> names = Files.list(root)) {
                    for (Path name : names.filter(Files::isDirectory).sorted().toList()) {
                        try (Stream<Path> versions = Files.list(name)) {
                            versions.filter(v -> Files.isRegularFile(v.resolve("model_index.json"))).sorted()
                                    .forEach(v -> System.out.printf("%-24s %-8s %s%n", name.getFileName(),
                                            v.getFileName(), v));
                        }
                    }
                }
            }
            MinioClient client = client();
            String bucket = environment.endpoints().bucket();
            for (String name : folders(client, bucket, MODELS)) {
                for (String version : folders(client, bucket, MODELS + name + "/")) {
                    String prefix = MODELS + name + "/" + version + "/";
                    if (exists(client, bucket, prefix + "model_index.json")) {
                        System.out.printf("%-24s %-8s s3://%s/%s%n", name, version, bucket, prefix);
                    }
                }
            }
            return 0;
        }
    }

    /** {@code model rm}: a model version out of the bucket, model_index.json first so no job picks it up half gone. */
    @Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Remove models/NAME/VERSION/ from the bucket (model_index.json first).")
    static final class Remove implements Callable<Integer> {

        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--version", required = true)
        String version;

        @Override
        public Integer call() throws Exception {
            MinioClient client = client();
            String bucket = CliEnvironment.detect().endpoints().bucket();
            String prefix = MODELS + name + "/" + version + "/";
            if (!exists(client, bucket, prefix + "model_index.json")) {
                System.err.println("error: --name/--version: no model at s3://" + bucket + "/" + prefix);
                return 2;
            }
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(prefix + "model_index.json").build());
            int removed = 1;
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(r.get().objectName()).build());
                removed++;
            }
            System.out.printf("removed %d files from s3://%s/%s%n", removed, bucket, prefix);
            return 0;
        }
    }

    private static List<String> folders(MinioClient client, String bucket, String prefix) throws Exception {
        List<String> names = new ArrayList<>();
        for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                .delimiter("/").build())) {
            String key = r.get().objectName();
            if (key.endsWith("/")) {
                names.add(key.substring(prefix.length(), key.length() - 1));
            }
        }
        return names;
    }

    private static boolean exists(MinioClient client, String bucket, String key) throws Exception {
        try {
            client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return false;
            }
            throw e;
        }
    }

    static MinioClient client() {
        Endpoints endpoints = CliEnvironment.detect().endpoints();
        return MinioClient.builder().endpoint(endpoints.s3Endpoint())
            .credentials(endpoints.accessKey(), endpoints.secretKey()).build();
    }

}
