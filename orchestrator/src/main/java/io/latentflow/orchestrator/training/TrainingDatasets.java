package io.latentflow.orchestrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.DatasetImages;
import io.latentflow.core.dataset.DatasetValidator;
import io.latentflow.core.dataset.InvalidDatasetException;
import io.latentflow.core.tensor.SafetensorsWriter;
import io.latentflow.core.text.ClipTokenizer;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.orchestrator.grpc.ServiceClients;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.EncodeTextRequest;
import io.latentflow.proto.EncodeTextResponse;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.proto.VaeEncodeRequest;
import io.latentflow.proto.VaeEncodeResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gets a run's dataset ready before any training step: validates {@code datasets/<name>/} (a failure names the
 * file or line), and for UNet runs computes what the trainer consumes: the dataset's latents once through the VAE
 * service (posterior mean and standard deviation, scaled by the VAE's scaling_factor, stored beside the dataset
 * and reused by later runs with the same VAE and resolution) and, with a frozen text encoder, the captions' hidden
 * states through the text-encoder service.
 */
@ApplicationScoped
public class TrainingDatasets {

    static final int ENCODE_BATCH = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final ModelFiles models;
    private final ServiceClients clients;

    @Inject
    TrainingDatasets(ObjectStore store, ModelFiles models, ServiceClients clients) {
        this.store = store;
        this.models = models;
        this.clients = clients;
    }

    /** What the trainer is given about the dataset. */
    public record Prepared(List<String> captions, List<String> imageKeys, String latentsKey, String embeddingsKey) {
    }

    /** The bucket prefix of a dataset. */
    public static String prefix(String dataset) {
        return "datasets/" + dataset + "/";
    }

    /** Validates the dataset and computes its latents and embeddings as the run needs them. */
    public Prepared prepare(TrainingRequest request, TrainingSettings settings, Path work) {
        Dataset dataset = validate(request, settings, work);
        List<String> captions = new ArrayList<>();
        List<String> imageKeys = new ArrayList<>();
        for (Dataset.Entry e : dataset.entries()) {
            captions.add(e.caption());
            imageKeys.add(prefix(request.getDataset()) + e.fileName());
        }
        if (settings.kind() == TrainingSettings.Kind.VAE) {
            return new Prepared(captions, imageKeys, "", "");
        }
        String latentsKey = latents(request, settings, dataset);
        String embeddingsKey = request.getTrainTextEncoder() ? "" : embeddings(request, settings, captions);
        return new Prepared(captions, imageKeys, latentsKey, embeddingsKey);
    }

    private Dataset validate(TrainingRequest request, TrainingSettings settings, Path work) {
        String prefix = prefix(request.getDataset());
        Path dir = work.resolve("dataset");
        List<String> keys = store.list(prefix);
        if (!keys.contains(prefix + Dataset.METADATA_FILE)) {
            throw new InvalidRequestException("dataset", "dataset '" + request.getDataset() + "' not found: no "
                    + prefix + Dataset.METADATA_FILE + " in bucket " + store.bucket());
        }
        try {
            for (String key : keys) {
                String relative = key.substring(prefix.length());
                if (relative.startsWith("latents/")) {
                    continue;
                }
                Path file = dir.resolve(relative).normalize();
                if (!file.startsWith(dir)) {
                    continue;
                }
                Files.createDirectories(file.getParent());
                Files.write(file, store.get(key).orElseThrow(() -> new IOException(key + " disappeared")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy dataset " + request.getDataset(), e);
        }
        Path tokenizerDir = models.component(request.getBaseModel(), "tokenizer", work.resolve("model"));
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerDir);
        int maxTokens = tokenizer.maxLength();
        try {
            JsonNode textConfig = JSON.readTree(models.component(request.getBaseModel(), "text_encoder",
                    work.resolve("model")).resolve("config.json").toFile());
            maxTokens = Math.min(maxTokens, textConfig.path("max_position_embeddings").asInt(maxTokens));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base model's text_encoder/config.json", e);
        }
        try {
            Dataset dataset = new DatasetValidator(settings.resolution(), DatasetValidator.clipTokenCount(tokenizer),
                    maxTokens).validate(dir);
            if (dataset.entries().isEmpty()) {
                throw new InvalidRequestException("dataset", "dataset '" + request.getDataset() + "' has no images");
            }
            return dataset;
        } catch (InvalidDatasetException e) {
            throw new InvalidRequestException("dataset", "dataset '" + request.getDataset() + "': " + e.problem());
        }
    }

    /** The key of the dataset's latents under the run's VAE and resolution, computed when missing. */
    private String latents(TrainingRequest request, TrainingSettings settings, Dataset dataset) {
        String key = prefix(request.getDataset()) + "latents/" + request.getBaseModel().getName() + "-"
                + request.getBaseModel().getVersion() + "-" + settings.resolution() + ".safetensors";
        if (store.get(key).isPresent()) {
            return key;
        }
        double scale;
        try {
            JsonNode vae = JSON.readTree(models.files(request.getBaseModel()).get("vae/config.json").read());
            scale = vae.path("scaling_factor").asDouble(0.18215);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base model's vae/config.json", e);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> means = new ArrayList<>();
            List<NDArray> stds = new ArrayList<>();
            int n = dataset.entries().size();
            for (int start = 0; start < n; start += ENCODE_BATCH) {
                int end = Math.min(n, start + ENCODE_BATCH);
                int[] indices = new int[end - start];
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = start + i;
                }
                NDArray images = DatasetImages.load(dataset, indices, manager);
                VaeEncodeResponse r = clients.encodeImages(request.getRunId(), VaeEncodeRequest.newBuilder()
                        .setModel(request.getBaseModel()).setImages(Tensors.toProto(images)).build());
                // without noise the service's latents are the scaled posterior mean; std = exp(logvar / 2) * scale
                means.add(Tensors.toNDArray(r.getLatents(), manager));
                stds.add(Tensors.toNDArray(r.getLogvar(), manager).mul(0.5f).exp().mul((float) scale));
            }
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("mean", concat(means));
            tensors.put("std", concat(stds));
            put(key, tensors);
        }
        return key;
    }

    /** The key of the run's frozen text-encoder hidden states: captions, the empty caption, validation prompts. */
    private String embeddings(TrainingRequest request, TrainingSettings settings, List<String> captions) {
        String key = TrainingRuns.prefix(request.getRunId()) + "embeddings.safetensors";
        if (store.get(key).isPresent()) {
            return key;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("captions", encode(request, captions, manager));
            NDArray empty = encode(request, List.of(""), manager);
            tensors.put("empty", empty);
            tensors.put("validation", settings.validationPrompts().isEmpty() ? empty
                    : encode(request, settings.validationPrompts(), manager));
            put(key, tensors);
        }
        return key;
    }

    private NDArray encode(TrainingRequest request, List<String> prompts, NDManager manager) {
        List<NDArray> parts = new ArrayList<>();
        for (int start = 0; start < prompts.size(); start += ENCODE_BATCH) {
            EncodeTextResponse r = clients.encode(request.getRunId(), EncodeTextRequest.newBuilder()
                    .setModel(request.getBaseModel())
                    .addAllPrompts(prompts.subList(start, Math.min(prompts.size(), start + ENCODE_BATCH))).build());
            parts.add(Tensors.toNDArray(r.getHiddenStates(), manager));
        }
        return concat(parts);
    }

    /** One concatenation of every part (concatenating pairwise copies the growing result once per part). */
    private static NDArray concat(List<NDArray> parts) {
        return NDArrays.concat(new NDList(parts), 0);
    }

    private void put(String key, Map<String, NDArray> tensors) {
        try {
            Path file = Files.createTempFile("latentflow-", ".safetensors");
            try {
                SafetensorsWriter.write(file, tensors);
                store.put(key, Files.readAllBytes(file), "application/octet-stream");
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + key, e);
        }
    }
}
