package io.latentflow.core.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ComponentWeights;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.nn.Conv2d;
import io.latentflow.core.nn.LoadReport;
import io.latentflow.core.nn.RandomWeights;
import io.latentflow.core.nn.Weights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KL-regularized autoencoder of latent diffusion (Rombach et al. 2022, sec. 3), diffusers' AutoencoderKL:
 * images (B, 3, H, W) in [-1, 1] to a diagonal Gaussian over latents (B, C, H/f, W/f), and latents back to images.
 * Latents here are raw: scaling_factor and shift_factor are the caller's to apply.
 */
public final class AutoencoderKl implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderKl.class);

    private final AutoencoderKlConfig config;
    private final NDManager manager;
    private final DataType dataType;
    private final Device device;
    private final LoadReport report;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;

    private AutoencoderKl(AutoencoderKlConfig config, NDManager manager, DataType dataType, Weights w) {
        this.config = config;
        this.manager = manager;
        this.dataType = dataType;
        this.device = manager.getDevice();
        this.report = w.report();
        long moments = 2L * config.latentChannels();
        encoder = Encoder.load(w.child("encoder"), config);
        quantConv = config.useQuantConv() ? Conv2d.load(w.child("quant_conv"), moments, moments, 1, 1, 0) : null;
        postQuantConv = config.usePostQuantConv()
                ? Conv2d.load(w.child("post_quant_conv"), config.latentChannels(), config.latentChannels(), 1, 1, 0)
                : null;
        decoder = Decoder.load(w.child("decoder"), config);
    }

    /**
     * Loads {@code config.json} and the safetensors weights of a VAE folder; legacy attention names
     * (query/key/value/proj_attn) are read as to_q/to_k/to_v/to_out.0. Fails naming every missing tensor and wrong
     * shape.
     */
    public static AutoencoderKl load(Path componentDir, ModelOptions options) {
        AutoencoderKlConfig config = AutoencoderKlConfig.load(componentDir.resolve("config.json"));
        DataType type = runType(config, options);
        Path file = ComponentWeights.locate(componentDir);
        NDManager manager = NDManager.newBaseManager(options.device());
        try {
            Map<String, NDArray> tensors = renameLegacyAttention(
                    ComponentWeights.read(file, manager, type));
            Weights w = Weights.of(tensors, file.toString(), manager);
            AutoencoderKl vae = new AutoencoderKl(config, manager, type, w);
            w.report().requireComplete();
            if (!w.report().unexpected().isEmpty()) {
                LOG.warn("{}: {} unexpected tensors not used by the model: {}", file, w.report().unexpected().size(),
                        w.report().unexpected());
            }
            return vae;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A VAE over already loaded weights (for training: {@link Weights#trainable} parameters, rebuilt each step); the
     * model's arrays live in {@code w.manager()}. Fails naming every missing tensor and wrong shape.
     */
    public static AutoencoderKl of(AutoencoderKlConfig config, Weights w, DataType dataType) {
        AutoencoderKl vae = new AutoencoderKl(config, w.manager(), dataType, w);
        w.report().requireComplete();
        return vae;
    }

    /** Every parameter key of the architecture and its shape, in the order the model looks them up. */
    public static Map<String, Shape> parameterShapes(AutoencoderKlConfig config) {
        return RandomWeights.shapes("vae config", Device.cpu(),
                (manager, w) -> new AutoencoderKl(config, manager, DataType.FLOAT32, w));
    }

    /**
     * A VAE of the architecture in {@code configFile} with stand-in random weights ({@link RandomWeights}), for
     * benchmarking full-size architectures whose checkpoints are not at hand. Its outputs mean nothing.
     */
    public static AutoencoderKl withRandomWeights(Path configFile, ModelOptions options) {
        AutoencoderKlConfig config = AutoencoderKlConfig.load(configFile);
        DataType type = runType(config, options);
        return RandomWeights.model(configFile.toString(), options.device(), type,
                (manager, w) -> new AutoencoderKl(config, manager, type, w));
    }

    /**
     * The dtype the VAE runs in: float32 when float16 is asked but config.json says force_upcast (the SD 1.x/2.x
     * and SDXL VAEs overflow in float16; diffusers pipelines upcast them the same way).
     */
    static DataType runType(AutoencoderKlConfig config, ModelOptions options) {
        if (options.dataType() == DataType.FLOAT16 && config.forceUpcast()) {
            LOG.info("VAE config has force_upcast: running in float32 instead of float16");
            return DataType.FLOAT32;
        }
        return options.dataType();
    }

    /** The floating-point type of weights and activations (see {@link #runType}). */
    public DataType dataType() {
        return dataType;
    }

    /** Maps pre-0.14 diffusers attention keys to the current names; 1x1-conv shaped projections become matrices. */
    static Map<String, NDArray> renameLegacyAttention(Map<String, NDArray> tensors) {
        Map<String, String> renames = Map.of(".query.", ".to_q.", ".key.", ".to_k.", ".value.", ".to_v.",
                ".proj_attn.", ".to_out.0.");
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String key = e.getKey();
            NDArray t = e.getValue();
            if (key.contains(".mid_block.attentions.")) {
                for (Map.Entry<String, String> r : renames.entrySet()) {
                    if (key.contains(r.getKey())) {
                        key = key.replace(r.getKey(), r.getValue());
                        Shape s = t.getShape();
                        if (s.dimension() == 4 && s.get(2) == 1 && s.get(3) == 1) {
                            NDArray matrix = t.reshape(s.get(0), s.get(1));
                            t.close();
                            t = matrix;
                        }
                    }
                }
            }
            out.put(key, t);
        }
        return out;
    }

    /** The resolved configuration. */
    public AutoencoderKlConfig config() {
        return config;
    }

    /** What loading found: used, missing, unexpected keys. */
    public LoadReport loadReport() {
        return report;
    }

    /**
     * Encodes images (B, in_channels, H, W) in [-1, 1], H and W divisible by {@code config().scaleFactor()}, into
     * the posterior over raw latents; its arrays are float32 and attached to {@code images}' manager.
     */
    public DiagonalGaussianDistribution encode(NDArray images) {
        Shape s = images.getShape();
        int f = config.scaleFactor();
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) % f != 0 || s.get(3) % f != 0) {
            throw new IllegalArgumentException("images must be (B, " + config.inChannels() + ", H, W) with H and W "
                    + "divisible by " + f + ", got " + s);
        }
        NDManager caller = images.getManager();
        try (NDManager scope = caller.newSubManager(device)) {
            images.tempAttach(scope);
            NDArray moments = encoder.forward(images.toDevice(device, false).toType(dataType, false));
            if (quantConv != null) {
                moments = quantConv.forward(moments);
            }
            DiagonalGaussianDistribution posterior = DiagonalGaussianDistribution.fromMoments(
                    moments.toType(DataType.FLOAT32, false).toDevice(caller.getDevice(), false));
            posterior.attach(caller);
            return posterior;
        }
    }

    /**
     * Decodes raw latents (B, latent_channels, h, w) to images (B, out_channels, h * f, w * f), float32, one image
     * at a time: a convolution over one image sums in another order than over several, and an image must not depend
     * on how many were decoded with it.
     */
    public NDArray decode(NDArray latents) {
        Shape s = latents.getShape();
        if (s.dimension() != 4 || s.get(1) != config.latentChannels()) {
            throw new IllegalArgumentException("latents must be (B, " + config.latentChannels() + ", h, w), got " + s);
        }
        NDManager caller = latents.getManager();
        try (NDManager scope = caller.newSubManager(device)) {
            latents.tempAttach(scope);
            NDList images = new NDList();
            for (long i = 0; i < s.get(0); i++) {
                NDArray z = latents.get(i + ":" + (i + 1)).toDevice(device, false).toType(dataType, false);
                if (postQuantConv != null) {
                    z = postQuantConv.forward(z);
                }
                images.add(decoder.forward(z));
            }
            NDArray result = (images.size() == 1 ? images.singletonOrThrow() : NDArrays.concat(images))
                    .toType(DataType.FLOAT32, false).toDevice(caller.getDevice(), false);
            result.attach(caller);
            return result;
        }
    }

    /**
     * A decoding for training: the images and the input of the decoder's last layer (conv_out), from which the
     * gradient of a loss with respect to {@code decoder.conv_out.weight} can be formed without a second pass through
     * the decoder. Runs in the caller's manager so that the autograd graph reaches the latents.
     *
     * @param latents raw latents (B, latent_channels, h, w)
     */
    public TrainingDecoding decodeForTraining(NDArray latents) {
        NDArray z = postQuantConv == null ? latents : postQuantConv.forward(latents);
        NDArray features = decoder.lastLayerInput(z);
        return new TrainingDecoding(decoder.convOut().forward(features), features, decoder.convOut());
    }

    /**
     * What {@link #decodeForTraining} gives.
     *
     * @param images          (B, out_channels, H, W)
     * @param lastLayerInput  the input of conv_out (B, C0, H, W)
     * @param lastLayer       conv_out itself
     */
    public record TrainingDecoding(NDArray images, NDArray lastLayerInput, Conv2d lastLayer) {
    }

    @Override
    public void close() {
        manager.close();
    }
}
