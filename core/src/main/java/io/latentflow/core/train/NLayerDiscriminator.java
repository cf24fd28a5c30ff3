package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.latentflow.core.nn.BatchNorm2d;
import io.latentflow.core.nn.Conv2d;
import io.latentflow.core.nn.Weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The PatchGAN discriminator of pix2pix (Isola et al. 2017) as taming-transformers' NLayerDiscriminator: one logit
 * per overlapping patch. Layers, numbered as the checkpoint keys {@code main.<i>}:
 * <pre>
 *   Conv(in -> ndf, k4 s2 p1) LeakyReLU(0.2)
 *   n_layers - 1 times: Conv(k4 s2 p1, no bias) BatchNorm LeakyReLU(0.2), channels ndf * min(2^n, 8)
 *   Conv(k4 s1 p1, no bias) BatchNorm LeakyReLU(0.2), channels ndf * min(2^n_layers, 8)
 *   Conv(-> 1, k4 s1 p1)
 * </pre>
 * BatchNorm runs in training mode whenever the discriminator is used in training, as the reference does.
 */
public final class NLayerDiscriminator {

    private static final float SLOPE = 0.2f;
    private static final int KERNEL = 4;

    /** The constructor arguments (discriminator_config.json). */
    public record Config(int inputChannels, int ndf, int layers) {

        public Config {
            if (inputChannels < 1 || ndf < 1 || layers < 1) {
                throw new IllegalArgumentException("discriminator input_nc, ndf and n_layers must be >= 1, got "
                        + inputChannels + ", " + ndf + ", " + layers);
            }
        }
    }

    /** One stage: a convolution, optionally batch-normalized, optionally followed by LeakyReLU. */
    private record Stage(Conv2d conv, BatchNorm2d norm, boolean activated) {
    }

    private final List<Stage> stages;

    private NLayerDiscriminator(List<Stage> stages) {
        this.stages = stages;
    }

    /** The discriminator over checkpoint-keyed weights (main.0.weight, main.3.running_mean, ...). */
    public static NLayerDiscriminator of(Config config, Weights w) {
        List<Stage> stages = new ArrayList<>();
        for (Layer l : layers(config)) {
            Weights conv = w.child("main").child(l.convIndex);
            Conv2d c = new Conv2d(conv.get("weight", l.out, l.in, KERNEL, KERNEL),
                    l.bias ? conv.get("bias", l.out) : null, l.stride, 1);
            BatchNorm2d norm = l.normIndex < 0 ? null
                    : BatchNorm2d.load(w.child("main").child(l.normIndex), l.out, 1e-5f, 0.1f);
            stages.add(new Stage(c, norm, l.activated));
        }
        w.report().requireComplete();
        return new NLayerDiscriminator(stages);
    }

    /** images (B, in, H, W) -> logits (B, 1, H', W'); BatchNorm uses batch statistics and updates its buffers. */
    public NDArray forward(NDArray images) {
        NDArray x = images;
        for (Stage s : stages) {
            x = s.conv.forward(x);
            if (s.norm != null) {
                x = s.norm.forward(x, true);
            }
            if (s.activated) {
                x = Activation.leakyRelu(x, SLOPE);
            }
        }
        return x;
    }

    /** Keys that are buffers, not trained: BatchNorm's running statistics and batch count. */
    public static boolean isBuffer(String key) {
        return key.endsWith(".running_mean") || key.endsWith(".running_var") || key.endsWith(".num_batches_tracked");
    }

    /**
     * Fresh weights as taming's weights_init: conv weights N(0, 0.02), conv biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))
     * (PyTorch's default), BatchNorm weights N(1, 0.02), biases 0, running statistics 0 and 1.
     */
    public static Map<String, NDArray> initialWeights(Config config, long seed, NDManager manager) {
        Random random = new Random(seed);
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Layer l : layers(config)) {
            String conv = "main." + l.convIndex + ".";
            out.put(conv + "weight", normal(random, manager, 0, 0.02, l.out, l.in, KERNEL, KERNEL));
            if (l.bias) {
                double bound = 1 / Math.sqrt(l.in * KERNEL * KERNEL);
                float[] b = new float[l.out];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
                out.put(conv + "bias", manager.create(b));
            }
            if (l.normIndex >= 0) {
                String norm = "main." + l.normIndex + ".";
                out.put(norm + "weight", normal(random, manager, 1, 0.02, l.out));
                out.put(norm + "bias", manager.zeros(new Shape(l.out)));
                out.put(norm + "running_mean", manager.zeros(new Shape(l.out)));
                out.put(norm + "running_var", manager.ones(new Shape(l.out)));
                out.put(norm + "num_batches_tracked", manager.create(0L));
            }
        }
        out.forEach((k, v) -> v.setName(k));
        return out;
    }

    private static NDArray normal(Random random, NDManager manager, double mean, double std, long... shape) {
        Shape s = new Shape(shape);
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * random.nextGaussian());
        }
        return manager.create(v, s).toType(DataType.FLOAT32, false);
    }

    /** One convolution of the stack and where its BatchNorm sits in the module list (-1: none). */
    private record Layer(int convIndex, int normIndex, int in, int out, int stride, boolean bias, boolean activated) {
    }

    private static List<Layer> layers(Config c) {
        List<Layer> layers = new ArrayList<>();
        int index = 0;
        // Conv + LeakyReLU
        layers.add(new Layer(index, -1, c.inputChannels(), c.ndf(), 2, true, true));
        index += 2;
        int multiplier = 1;
        // n_layers - 1 stride-2 blocks, then one stride-1 block: Conv + BatchNorm + LeakyReLU
        for (int n = 1; n <= c.layers(); n++) {
            int previous = multiplier;
            multiplier = Math.min(1 << n, 8);
            int stride = n < c.layers() ? 2 : 1;
            layers.add(new Layer(index, index + 1, c.ndf() * previous, c.ndf() * multiplier, stride, false, true));
            index += 3;
        }
        // final Conv to one logit per patch
        layers.add(new Layer(index, -1, c.ndf() * multiplier, 1, 1, true, false));
        return layers;
    }
}
