package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D convolution (PyTorch nn.Conv2d, groups 1, dilation 1). weight: (out, in, k, k), bias: (out) or absent.
 */
public record Conv2d(NDArray weight, NDArray bias, int stride, int padding) {

    private static final Shape DILATION = new Shape(1, 1);

    /** Up to this many input elements, libtorch 2.7 convolves a single sample with its own kernel. */
    private static final long NATIVE_MAX_ELEMENTS = 20480;

    /**
     * oneDNN's convolution backward (v3.7, in libtorch 2.7.1, with AVX2 kernels as with AVX-512 ones) computes wrong
     * input gradients, and NaN now and then, when the output channels leave a block of 16 partly filled (a conv_out
     * of 3 or 4 channels, say). Recorded convolutions get whole blocks: zero filters are added and their outputs
     * dropped, which changes no value. The AVX-512 kernels' other errors are avoided by {@link ConvolutionGradients}.
     */
    private static final long OUTPUT_BLOCK = 16;

    /** Looks up {@code weight} (out, in, kernel, kernel) and {@code bias} (out) under the view. */
    public static Conv2d load(Weights w, long in, long out, int kernel, int stride, int padding) {
        return new Conv2d(w.get("weight", out, in, kernel, kernel), w.get("bias", out), stride, padding);
    }

    /** x: (B, in, H, W) -> (B, out, H', W'), H' = (H + 2 padding - k) / stride + 1. */
    public NDArray forward(NDArray x) {
        long out = outChannels();
        if (out % OUTPUT_BLOCK != 0 && (weight.hasGradient() || x.hasGradient())) {
            long padded = (out / OUTPUT_BLOCK + 1) * OUTPUT_BLOCK;
            NDManager m = x.getManager();
            Shape extra = new Shape(padded - out).addAll(weight.getShape().slice(1));
            NDArray w = NDArrays.concat(new NDList(weight, m.zeros(extra, weight.getDataType())));
            NDArray b = bias == null ? null
                    : NDArrays.concat(new NDList(bias, m.zeros(new Shape(padded - out), bias.getDataType())));
            return new Conv2d(w, b, stride, padding).forward(x).get(":, 0:" + out);
        }
        NDArray y = isPointwise() ? pointwise(x) : isSmallSingle(x) ? convolution(x.concat(x.zerosLike())).get("0:1")
                : convolution(x);
        if (FlopCounter.active()) {
            // 2 * outputs * (in * k * k) multiply-adds
            Shape k = weight.getShape();
            FlopCounter.add(2 * y.size() * k.get(1) * k.get(2) * k.get(3));
        }
        return y;
    }

    /**
     * A 1x1 convolution is a matrix product over the channels, y = W x + bias for each sample's (in, H*W) matrix x,
     * computed as one through MKL: oneDNN's 1x1 kernels sum a pixel differently with the number of threads, where
     * MKL's gemm (in its strict mode) does not, so a process's thread count does not change its images; taken
     * {@link PerSample per sample}, as every product.
     */
    private NDArray pointwise(NDArray x) {
        Shape shape = x.getShape();
        NDArray samples = x.reshape(shape.get(0), shape.get(1), -1);
        NDArray y = PerSample.weightTimes(weight, outChannels(), shape.get(1), samples)
                .reshape(shape.get(0), outChannels(), shape.get(2), shape.get(3));
        return bias == null ? y : y.add(PerSample.view(bias.reshape(-1, 1, 1), x.getManager()));
    }

    private NDArray convolution(NDArray x) {
        return x.getNDArrayInternal().convolution(x, weight, bias, new Shape(stride, stride),
                new Shape(padding, padding), DILATION, 1).singletonOrThrow();
    }

    /**
     * Whether libtorch would run this convolution with its own kernel rather than oneDNN's: for one sample of at most
     * {@value #NATIVE_MAX_ELEMENTS} elements and a kernel of at most 3x3 it does, and sums in another order, so a
     * sample's result would change when it is batched with others (an unguided job's UNet pass). Such a sample is
     * convolved beside a zero sample, through oneDNN like every batch; it costs a second small convolution.
     */
    private boolean isSmallSingle(NDArray x) {
        Shape k = weight.getShape();
        return x.getShape().get(0) == 1 && x.size() <= NATIVE_MAX_ELEMENTS && k.get(2) <= 3 && k.get(3) <= 3;
    }

    private boolean isPointwise() {
        Shape k = weight.getShape();
        return k.get(2) == 1 && k.get(3) == 1 && stride == 1 && padding == 0;
    }

    /** Output channels. */
    public long outChannels() {
        return weight.getShape().get(0);
    }
}
