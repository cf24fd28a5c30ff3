package io.latentflow.service.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.DatasetImages;
import io.latentflow.core.model.ComponentWeights;
import io.latentflow.core.model.PipelineFolder;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.train.CheckpointStore;
import io.latentflow.core.train.FreshWeights;
import io.latentflow.core.train.TrainingListener;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.proto.TrainJob;
import io.latentflow.service.grpc.InvalidFieldException;
import io.latentflow.service.storage.ObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything a service builds one training run from, prepared by the {@link TrainingWorker}: the job and its
 * settings, the base model's complete folder, the run's checkpoint store and listener, a manager that lives as long
 * as the run, its work directory, and the job's inputs read from the bucket.
 */
public final class TrainingContext {

    private final TrainJob job;
    private final TrainingSettings settings;
    private final PipelineFolder baseModel;
    private final SchedulerConfig scheduler;
    private final ObjectStore store;
    private final CheckpointStore checkpoints;
    private final TrainingListener listener;
    private final NDManager manager;
    private final Path workDir;

    TrainingContext(TrainJob job, TrainingSettings settings, PipelineFolder baseModel, SchedulerConfig scheduler,
                    ObjectStore store, CheckpointStore checkpoints, TrainingListener listener, NDManager manager,
                    Path workDir) {
        this.job = job;
        this.settings = settings;
        this.baseModel = baseModel;
        this.scheduler = scheduler;
        this.store = store;
        this.checkpoints = checkpoints;
        this.listener = listener;
        this.manager = manager;
        this.workDir = workDir;
    }

    public TrainJob job() {
        return job;
    }

    public TrainingSettings settings() {
        return settings;
    }

    /** The base model's folder with every component (local, or fetched into the work directory). */
    public PipelineFolder baseModel() {
        return baseModel;
    }

    /** The base model's scheduler config (the schedule the UNet is trained on). */
    public SchedulerConfig scheduler() {
        return scheduler;
    }

    /** {@code training/<run>/} in the bucket. */
    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    /** Where the run reports; the worker streams it to the caller. */
    public TrainingListener listener() {
        return listener;
    }

    /** Holds the run's inputs until it ends. */
    public NDManager manager() {
        return manager;
    }

    /** The run's local directory, deleted when it ends. */
    public Path workDir() {
        return workDir;
    }

    /**
     * The weights a component starts from (float32, in {@link #manager()}): the base model's, or when from_scratch
     * fresh ones of its architecture drawn from {@code freshSeed}.
     *
     * @param parameterShapes the component's parameter shapes from its config.json
     */
    public Map<String, NDArray> startingWeights(String component, long freshSeed,
                                                Function<Path, Map<String, Shape>> parameterShapes) {
        Path dir = baseModel.component(component);
        if (settings.fromScratch()) {
            return FreshWeights.of(parameterShapes.apply(dir.resolve("config.json")), freshSeed, manager);
        }
        return ComponentWeights.read(ComponentWeights.locate(dir), manager, DataType.FLOAT32);
    }

    /**
     * The dataset images of {@code image_keys}, in their order, as (N, 3, H, W) float32 in [-1, 1]; every image must
     * be resolution x resolution pixels.
     */
    public NDArray images() {
        List<String> keys = job.getImageKeysList();
        if (keys.isEmpty()) {
            throw new InvalidFieldException("image_keys", "is empty: the run needs the dataset's images");
        }
        Path dir = workDir.resolve("dataset");
        List<Dataset.Entry> entries = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String fileName = String.format(Locale.ROOT, "images/%06d%s", i, extension(key));
            if (!store.download(key, dir.resolve(fileName))) {
                throw new InvalidFieldException("image_keys[" + i + "]", "no object " + key + " in "
                        + store.location());
            }
            entries.add(new Dataset.Entry(fileName, i < job.getCaptionsCount() ? job.getCaptions(i) : ""));
        }
        Dataset dataset = new Dataset(dir, entries);
        int side = settings.resolution();
        try (NDManager scope = manager.newSubManager()) {
            NDList images = new NDList(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                // image: (1, 3, H, W)
                NDArray image = DatasetImages.load(dataset, new int[] {i}, scope);
                Shape shape = image.getShape();
                if (shape.get(2) != side || shape.get(3) != side) {
                    throw new InvalidFieldException("image_keys[" + i + "]", keys.get(i) + " is " + shape.get(3)
                            + "x" + shape.get(2) + " pixels, not the run's resolution " + side + "x" + side);
                }
                images.add(image);
            }
            NDArray all = NDArrays.concat(images, 0);
            all.attach(manager);
            return all;
        }
    }

    /**
     * The tensors of a safetensors object named by a job field (floating-point ones as float32), in
     * {@link #manager()}.
     *
     * @param field the TrainJob field holding the key, named in errors
     */
    public Map<String, NDArray> tensors(String field, String key) {
        if (key.isBlank()) {
            throw new InvalidFieldException(field, "is required for a " + settings.kind().configName() + " run");
        }
        Path file = workDir.resolve("inputs").resolve(field + ".safetensors");
        if (!store.download(key, file)) {
            throw new InvalidFieldException(field, "no object " + key + " in " + store.location());
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        SafetensorsReader.forEach(file, manager, (name, tensor) -> {
            if (tensor.getDataType().isFloating() && tensor.getDataType() != DataType.FLOAT32) {
                NDArray widened = tensor.toType(DataType.FLOAT32, false);
                tensor.close();
                tensor = widened;
            }
            tensors.put(name, tensor);
        });
        return tensors;
    }

    private static String extension(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 && name.substring(dot).matches("\\.[A-Za-z0-9]{1,5}") ? name.substring(dot) : "";
    }
}
