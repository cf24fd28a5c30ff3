package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One component a run trains (unet, text_encoder, vae, discriminator): its parameters, its optimizer and, when the
 * run keeps one, its EMA, and how they go into and come out of a checkpoint folder.
 */
public final class TrainedComponent implements AutoCloseable {

    private final String name;
    private final Path config;
    private final TrainableParameters parameters;
    private final AdamW optimizer;
    private final Ema ema;

    private TrainedComponent(String name, Path config, TrainableParameters parameters, AdamW optimizer, Ema ema) {
        this.name = name;
        this.config = config;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.ema = ema;
    }

    /**
     * A component starting from {@code weights}, or from the checkpoint folder {@code resume} (its weights,
     * optimizer moments, EMA shadows and counters) when not null.
     *
     * @param config   the component's config.json, copied into checkpoints
     * @param isBuffer keys kept but not trained
     * @param emaDecay the EMA decay, or NaN for none
     */
    public static TrainedComponent create(String name, Path config, Map<String, NDArray> weights,
                                          Predicate<String> isBuffer, AdamW.Settings adam, double emaDecay,
                                          Path resume, NDManager manager) {
        Map<String, NDArray> start = weights;
        Map<String, Long> state = null;
        if (resume != null) {
            state = TrainingCheckpoint.readState(resume);
            start = TrainingCheckpoint.readTensors(resume.resolve(name)
                    .resolve(TrainingCheckpoint.weightsFileName(name)), manager);
        }
        TrainableParameters parameters = TrainableParameters.copyOf(start, manager, isBuffer);
        AdamW optimizer = new AdamW(parameters, adam);
        Ema ema = Double.isNaN(emaDecay) ? null : new Ema(parameters, emaDecay);
        if (resume != null) {
            optimizer.restore(TrainingCheckpoint.readTensors(resume.resolve("optimizer." + name + ".safetensors"),
                    manager), state.getOrDefault(name + ".adam_steps", 0L));
            if (ema != null) {
                ema.restore(TrainingCheckpoint.readTensors(resume.resolve(name + "_ema")
                        .resolve(TrainingCheckpoint.weightsFileName(name)), manager),
                        state.getOrDefault(name + ".ema_updates", 0L));
            }
        }
        return new TrainedComponent(name, config, parameters, optimizer, ema);
    }

    /** The component's folder name (unet, text_encoder, vae, discriminator). */
    public String name() {
        return name;
    }

    public TrainableParameters parameters() {
        return parameters;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The EMA, or null when the run keeps none. */
    public Ema ema() {
        return ema;
    }

    /** The weights to sample with and to publish: the EMA shadows when there are any, else the parameters. */
    public Map<String, NDArray> publishedWeights() {
        if (ema == null) {
            return parameters.tensors();
        }
        Map<String, NDArray> out = new LinkedHashMap<>(parameters.tensors());
        out.putAll(ema.shadows());
        return out;
    }

    /** Writes weights, EMA, optimizer moments and counters (into {@code state}) to a checkpoint folder. */
    public void saveTo(Path dir, Map<String, Long> state) {
        TrainingCheckpoint.writeComponent(dir, name, config, parameters.tensors());
        if (ema != null) {
            TrainingCheckpoint.writeComponent(dir, name + "_ema", config, publishedWeights());
            state.put(name + ".ema_updates", ema.updates());
        }
        TrainingCheckpoint.writeTensors(dir, "optimizer." + name + ".safetensors", optimizer.state());
        state.put(name + ".adam_steps", optimizer.stepCount());
    }

    /** Writes the published weights as the component's diffusers folder. */
    public void saveOutput(Path dir) {
        TrainingCheckpoint.writeComponent(dir, name, config, publishedWeights());
    }

    @Override
    public void close() {
        if (ema != null) {
            ema.close();
        }
        parameters.close();
    }
}
