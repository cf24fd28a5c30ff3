package io.latentflow.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.List;
import java.util.Random;

/**
 * A check, before training, that the engine's convolution gradients are right. oneDNN's AVX-512 kernels (libtorch
 * 2.7.1) compute wrong input and weight gradients for many channel counts (input channels of 8 mod 16; stride 2 with
 * input channels of 16 mod 32, as a UNet's 48-channel downsampler has) while their forward pass is right, so a model
 * trains on them without an error and learns less: the shapes UNet's first down block got gradients 1% off its
 * float64 ones. Limiting oneDNN to AVX2 ({@value #SETTING}) gives exact kernels at about the same speed.
 */
public final class ConvolutionGradients {

    /** The environment setting that selects oneDNN's exact kernels; read by libtorch when it starts. */
    public static final String SETTING = "ONEDNN_MAX_CPU_ISA=AVX2";

    /** Convolutions that the AVX-512 kernels get wrong: input channels, output channels, stride. */
    private static final List<int[]> PROBES = List.of(new int[] {24, 16, 1}, new int[] {48, 16, 2},
            new int[] {16, 3, 1});

    /** Wrong kernels are off by 1e-4 and more; right ones by float32 rounding, about 1e-7. */
    private static final double TOLERANCE = 1e-5;

    private static boolean verified;

    private ConvolutionGradients() {
    }

    /** Throws when a probe's gradients are wrong, naming the setting that fixes them; checks once per process. */
    public static synchronized void requireExact() {
        if (verified) {
            return;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int[] probe : PROBES) {
                double error = identityError(manager, probe[0], probe[1], probe[2]);
                if (!(error <= TOLERANCE)) {
                    throw new IllegalStateException(String.format(
                            "convolution gradients of the PyTorch engine are wrong on this CPU (%.1e relative for "
                            + "%d -> %d channels, stride %d): oneDNN's AVX-512 kernels; start the process with %s "
                            + "(./latentflow sets it)", error, probe[0], probe[1], probe[2], SETTING));
                }
            }
        }
        verified = true;
    }

    /**
     * For the linear map L(x, W) = sum(conv(x, W) * G), sum(x * dL/dx) and sum(W * dL/dW) both equal L; returns the
     * larger of their differences from L, relative to the sums of their terms' magnitudes.
     */
    static double identityError(NDManager manager, int in, int out, int stride) {
        int size = 16;
        Random random = new Random(in * 31L + out * 7L + stride);
        NDArray w = normal(manager, random, new Shape(out, in, 3, 3));
        NDArray x = normal(manager, random, new Shape(2, in, size, size));
        NDArray g = normal(manager, random, new Shape(2, out, size / stride, size / stride));
        w.setRequiresGradient(true);
        x.setRequiresGradient(true);
        double loss;
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray l = new Conv2d(w, null, stride, 1).forward(x).mul(g).sum();
            loss = l.getFloat();
            collector.backward(l);
        }
        return Math.max(relativeDifference(x.mul(x.getGradient()), loss),
                relativeDifference(w.mul(w.getGradient()), loss));
    }

    private static double relativeDifference(NDArray terms, double expected) {
        return Math.abs(terms.sum().getFloat() - expected) / terms.abs().sum().getFloat();
    }

    private static NDArray normal(NDManager manager, Random random, Shape shape) {
        float[] values = new float[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return manager.create(values, shape);
    }
}
