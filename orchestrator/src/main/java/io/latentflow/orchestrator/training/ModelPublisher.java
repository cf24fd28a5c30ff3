package io.latentflow.orchestrator.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TrainingRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Publishes a finished run as {@code models/<name>/<version>/}: the base model's untouched components (its scheduler
 * config saying the prediction type the run trained for), then the trained ones from the run's output, and
 * model_index.json last. Readers only take a version whose
 * model_index.json exists, so none ever sees half of it.
 */
@ApplicationScoped
public class ModelPublisher {

    static final String MODEL_INDEX = "model_index.json";
    static final String SCHEDULER_CONFIG = "scheduler/scheduler_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final ModelFiles models;

    @Inject
    ModelPublisher(ObjectStore store, ModelFiles models) {
        this.store = store;
        this.models = models;
    }

    /** Whether the output model version is already visible. */
    public boolean exists(ModelRef model) {
        return store.get(ModelFiles.prefix(model) + MODEL_INDEX).isPresent();
    }

    /**
     * Copies base and trained components into the output model.
     *
     * @param outputPrefix the key prefix of the trained components (component folders in the diffusers layout)
     */
    public void publish(TrainingRequest request, String outputPrefix) {
        String target = ModelFiles.prefix(request.getOutputModel());
        Set<String> trained = new TreeSet<>();
        for (String key : store.list(outputPrefix)) {
            String relative = key.substring(outputPrefix.length());
            trained.add(relative.substring(0, relative.indexOf('/')));
        }
        if (trained.isEmpty()) {
            throw new IllegalStateException("the run left no trained components under " + outputPrefix);
        }
        try {
            Map<String, ModelFiles.FileSource> base = models.files(request.getBaseModel());
            for (Map.Entry<String, ModelFiles.FileSource> f : base.entrySet()) {
                String relative = f.getKey();
                String component = relative.contains("/") ? relative.substring(0, relative.indexOf('/')) : "";
                if (!relative.equals(MODEL_INDEX) && !trained.contains(component)) {
                    byte[] bytes = f.getValue().read();
                    if (relative.equals(SCHEDULER_CONFIG) && !request.getPredictionType().isEmpty()) {
                        bytes = withPredictionType(bytes, request.getPredictionType());
                    }
                    store.put(target + relative, bytes, "application/octet-stream");
                }
            }
            for (String key : store.list(outputPrefix)) {
                store.put(target + key.substring(outputPrefix.length()), store.get(key).orElseThrow(
                        () -> new IOException(key + " disappeared")), "application/octet-stream");
            }
            // the one object that makes the version visible
            store.put(target + MODEL_INDEX, base.get(MODEL_INDEX).read(), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + target, e);
        }
    }

    /** The base's scheduler config saying what the trained UNet predicts; every other key as the base has it. */
    static byte[] withPredictionType(byte[] schedulerConfig, String predictionType) throws IOException {
        ObjectNode config = (ObjectNode) JSON.readTree(schedulerConfig);
        config.put("prediction_type", predictionType);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config);
    }
}
