package io.latentflow.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.latentflow.core.nn.Weights;

/**
 * One forward and backward pass: records the autograd graph from the parameters on, and frees every array derived
 * from them when closed (the parameters are attached to the step's manager for its duration and then return).
 * PyTorch records one graph at a time per process, so steps do not overlap.
 */
public final class TrainingStep implements AutoCloseable {

    private final NDManager manager;
    private final GradientCollector collector;

    private TrainingStep(NDManager manager, GradientCollector collector) {
        this.manager = manager;
        this.collector = collector;
    }

    /** Opens a step over the given parameter sets (a generator and its discriminator, say). */
    public static TrainingStep open(TrainableParameters... parameterSets) {
        NDManager manager = parameterSets[0].manager().newSubManager();
        for (TrainableParameters set : parameterSets) {
            set.tensors().values().forEach(t -> t.tempAttach(manager));
        }
        return new TrainingStep(manager, Engine.getEngine("PyTorch").newGradientCollector());
    }

    /**
     * Turns autograd recording off on the calling thread (PyTorch starts new threads with it on), so that optimizer
     * and EMA updates outside a step change parameters in place; a run calls this before its first step.
     */
    public static void recordNothingOutsideSteps() {
        JniUtils.setGradMode(false);
    }

    /** The manager of this step's arrays. */
    public NDManager manager() {
        return manager;
    }

    /** A trainable view of a parameter set for building a model in this step. */
    public Weights weights(TrainableParameters parameters, String source) {
        return Weights.trainable(parameters.tensors(), source, manager);
    }

    /** Accumulates d loss / d p into every parameter the scalar {@code loss} depends on, freeing the graph. */
    public void backward(NDArray loss) {
        collector.backward(loss);
    }

    /**
     * Accumulates the vector-Jacobian product {@code gradient}^T d output / d p (output.backward(gradient)); with
     * {@code keepGraph} the graph survives for another backward pass.
     */
    public void backward(NDArray output, NDArray gradient, boolean keepGraph) {
        JniUtils.backward((PtNDArray) output, (PtNDArray) gradient, keepGraph, false);
    }

    @Override
    public void close() {
        collector.close();
        manager.close();
    }
}
