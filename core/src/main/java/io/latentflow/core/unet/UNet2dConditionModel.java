package io.latentflow.core.unet;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ComponentWeights;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.nn.Activations;
import io.latentflow.core.nn.Conv2d;
import io.latentflow.core.nn.Downsample2d;
import io.latentflow.core.nn.GroupNorm;
import io.latentflow.core.nn.Linear;
import io.latentflow.core.nn.LoadReport;
import io.latentflow.core.nn.RandomWeights;
import io.latentflow.core.nn.ResnetBlock2d;
import io.latentflow.core.nn.Scalars;
import io.latentflow.core.nn.Upsample2d;
import io.latentflow.core.nn.Weights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The conditional denoising UNet of latent diffusion (Rombach et al. 2022), diffusers' UNet2DConditionModel for
 * SD 1.x, SD 2.x and SDXL: time embedding (+ SDXL's text_time added conditioning), conv_in, down blocks, mid block,
 * up blocks with skip connections, conv_norm_out, conv_out. Weights keep diffusers' key names.
 */
public final class UNet2dConditionModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UNet2dConditionModel.class);

    private final UNet2dConditionConfig config;
    private final NDManager manager;
    private final DataType dataType;
    private final Device device;
    private final LoadReport report;
    private final TimestepEmbedding timeEmbedding;
    private final TimestepEmbedding addTimeProj;
    private final TimestepEmbedding addEmbedding;
    private final Linear encoderHidProj;
    private final Conv2d convIn;
    private final List<DownBlock2d> downBlocks;
    private final MidBlock2dCrossAttn midBlock;
    private final List<UpBlock2d> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    private UNet2dConditionModel(UNet2dConditionConfig config, NDManager manager, DataType dataType, Weights w) {
        this.config = config;
        this.manager = manager;
        this.dataType = dataType;
        this.device = manager.getDevice();
        this.report = w.report();
        UNet2dConditionConfig c = config;
        int n = c.blockCount();
        List<Integer> channels = c.blockOutChannels();
        int groups = c.normNumGroups();
        float eps = (float) c.normEps();
        long temb = c.timeEmbedDim();
        String act = c.actFn();
        ResnetBlock2d.Settings resnet = new ResnetBlock2d.Settings(temb, groups, eps, act,
                "scale_shift".equals(c.resnetTimeScaleShift()), 1f);

        // time: sinusoidal features of width block_out_channels[0], MLP to time_embed_dim
        timeEmbedding = TimestepEmbedding.load(w.child("time_embedding"), channels.get(0), c.flipSinToCos(),
                c.freqShift(), channels.get(0), temb, act, c.timestepPostAct());
        if (c.usesTextTime()) {
            addTimeProj = TimestepEmbedding.projectionOnly(manager, c.additionTimeEmbedDim(), c.flipSinToCos(),
                    c.freqShift());
            addEmbedding = TimestepEmbedding.load(w.child("add_embedding"), 0, true, 0,
                    c.projectionClassEmbeddingsInputDim(), temb, "silu", null);
        } else {
            addTimeProj = null;
            addEmbedding = null;
        }
        encoderHidProj = c.encoderHidDim() == null ? null
                : Linear.load(w.child("encoder_hid_proj"), c.encoderHidDim(), c.crossAttentionDim(), true);

        int inPad = (c.convInKernel() - 1) / 2;
        convIn = Conv2d.load(w.child("conv_in"), c.inChannels(), channels.get(0), c.convInKernel(), 1, inPad);

        // down path
        downBlocks = new ArrayList<>();
        int out = channels.get(0);
        for (int i = 0; i < n; i++) {
            int in = out;
            out = channels.get(i);
            boolean cross = c.downBlockTypes().get(i).equals("CrossAttnDownBlock2D");
            Weights b = w.child("down_blocks").child(i);
            List<ResnetBlock2d> resnets = new ArrayList<>();
            List<Transformer2dModel> attentions = cross ? new ArrayList<>() : null;
            for (int j = 0; j < c.layersPerBlock().get(i); j++) {
                resnets.add(ResnetBlock2d.load(b.child("resnets").child(j), j == 0 ? in : out, out, resnet));
                if (cross) {
                    attentions.add(Transformer2dModel.load(b.child("attentions").child(j), out, transformer(c, i,
                            c.downTransformerLayers().get(i).get(j), c.onlyCrossAttention().get(i))));
                }
            }
            Downsample2d down = i < n - 1
                    ? Downsample2d.load(b.child("downsamplers").child(0), out, out, c.downsamplePadding()) : null;
            downBlocks.add(new DownBlock2d(resnets, attentions, down));
        }

        // mid block
        int last = channels.get(n - 1);
        if (c.midBlockType() != null) {
            Weights m = w.child("mid_block");
            float scale = (float) c.midBlockScaleFactor();
            List<ResnetBlock2d> resnets = new ArrayList<>();
            ResnetBlock2d.Settings midResnet = resnet.withOutputScale(scale);
            resnets.add(ResnetBlock2d.load(m.child("resnets").child(0), last, last, midResnet));
            List<Transformer2dModel> attentions = List.of(Transformer2dModel.load(m.child("attentions").child(0), last,
                    transformer(c, n - 1, c.midTransformerLayers(), false)));
            resnets.add(ResnetBlock2d.load(m.child("resnets").child(1), last, last, midResnet));
            midBlock = new MidBlock2dCrossAttn(resnets, attentions);
        } else {
            midBlock = null;
        }

        // up path: channels, heads, layers and cross-attention settings in reverse block order
        upBlocks = new ArrayList<>();
        out = channels.get(n - 1);
        for (int i = 0; i < n; i++) {
            int rev = n - 1 - i;
            int prev = out;
            out = channels.get(rev);
            int in = channels.get(Math.max(rev - 1, 0));
            boolean cross = c.upBlockTypes().get(i).equals("CrossAttnUpBlock2D");
            int layers = c.layersPerBlock().get(rev) + 1;
            Weights b = w.child("up_blocks").child(i);
            List<ResnetBlock2d> resnets = new ArrayList<>();
            List<Transformer2dModel> attentions = cross ? new ArrayList<>() : null;
            for (int j = 0; j < layers; j++) {
                int skip = j == layers - 1 ? in : out;
                int resIn = j == 0 ? prev : out;
                resnets.add(ResnetBlock2d.load(b.child("resnets").child(j), resIn + skip, out, resnet));
                if (cross) {
                    attentions.add(Transformer2dModel.load(b.child("attentions").child(j), out, transformer(c, rev,
                            c.upTransformerLayers().get(i).get(j), c.onlyCrossAttention().get(rev))));
                }
            }
            Upsample2d up = i < n - 1 ? Upsample2d.load(b.child("upsamplers").child(0), out, out) : null;
            upBlocks.add(new UpBlock2d(resnets, attentions, up));
        }

        convNormOut = GroupNorm.load(w.child("conv_norm_out"), groups, channels.get(0), eps);
        int outPad = (c.convOutKernel() - 1) / 2;
        convOut = Conv2d.load(w.child("conv_out"), channels.get(0), c.outChannels(), c.convOutKernel(), 1, outPad);
    }

    /** The transformer of down block {@code block} (up blocks pass their mirrored index). */
    private static Transformer2dModel.Settings transformer(UNet2dConditionConfig c, int block, int depth,
            boolean onlyCrossAttention) {
        return new Transformer2dModel.Settings(c.attentionHeads().get(block), c.crossAttentionDims().get(block), depth,
                c.normNumGroups(), c.useLinearProjection(), onlyCrossAttention, c.upcastAttention());
    }

    /**
     * Loads {@code config.json} and the safetensors weights of a UNet folder; fails naming every missing tensor and
     * wrong shape. Unexpected tensors are logged.
     */
    public static UNet2dConditionModel load(Path componentDir, ModelOptions options) {
        UNet2dConditionConfig config = UNet2dConditionConfig.load(componentDir.resolve("config.json"));
        Path file = ComponentWeights.locate(componentDir);
        NDManager manager = NDManager.newBaseManager(options.device());
        try {
            Map<String, NDArray> tensors = ComponentWeights.read(file, manager, options.dataType());
            Weights w = Weights.of(tensors, file.toString(), manager);
            UNet2dConditionModel model = new UNet2dConditionModel(config, manager, options.dataType(), w);
            w.report().requireComplete();
            if (!w.report().unexpected().isEmpty()) {
                LOG.warn("{}: {} unexpected tensors not used by the model: {}", file, w.report().unexpected().size(),
                        w.report().unexpected());
            }
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model over already loaded weights (for training: {@link Weights#trainable} parameters, rebuilt each step);
     * the model's arrays live in {@code w.manager()}. Fails naming every missing tensor and wrong shape.
     */
    public static UNet2dConditionModel of(UNet2dConditionConfig config, Weights w, DataType dataType) {
        UNet2dConditionModel model = new UNet2dConditionModel(config, w.manager(), dataType, w);
        w.report().requireComplete();
        return model;
    }

    /** Every parameter key of the architecture and its shape, in the order the model looks them up. */
    public static Map<String, Shape> parameterShapes(UNet2dConditionConfig config) {
        return RandomWeights.shapes("unet config", Device.cpu(),
                (manager, w) -> new UNet2dConditionModel(config, manager, DataType.FLOAT32, w));
    }

    /**
     * A model of the architecture in {@code configFile} with stand-in random weights ({@link RandomWeights}), for
     * benchmarking full-size architectures whose checkpoints are not at hand. Its outputs mean nothing.
     */
    public static UNet2dConditionModel withRandomWeights(Path configFile, ModelOptions options) {
        UNet2dConditionConfig config = UNet2dConditionConfig.load(configFile);
        return RandomWeights.model(configFile.toString(), options.device(), options.dataType(),
                (manager, w) -> new UNet2dConditionModel(config, manager, options.dataType(), w));
    }

    /** The resolved configuration. */
    public UNet2dConditionConfig config() {
        return config;
    }

    /** What loading found: used, missing, unexpected keys. */
    public LoadReport loadReport() {
        return report;
    }

    /**
     * Arrays held by the model's own manager (weights and cached constants); forward passes leave it unchanged once
     * each input size has been seen.
     */
    public int residentArrayCount() {
        return ((BaseNDManager) manager).getManagedArrays().size();
    }

    /** The floating-point type of weights and activations. */
    public DataType dataType() {
        return dataType;
    }

    /**
     * Predicts the model output (noise, v or x0, per the scheduler's prediction type) for a noisy latent.
     *
     * @param sample              x_t (B, in_channels, H, W)
     * @param timesteps           t per batch item (B) or one for all (1 or scalar); fractional values allowed
     * @param encoderHiddenStates text context (B, L, cross_attention_dim)
     * @param textEmbeds          pooled text embedding (B, P) for addition_embed_type text_time, else null
     * @param timeIds             size/crop conditioning (B, 6 or 5) for text_time, else null
     * @return (B, out_channels, H, W) float32, attached to {@code sample}'s manager
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates, NDArray textEmbeds,
                           NDArray timeIds) {
        Shape s = sample.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChannels()) {
            throw new IllegalArgumentException("sample must be (B, " + config.inChannels() + ", H, W), got " + s);
        }
        long batch = s.get(0);
        long contextDim = config.encoderHidDim() != null ? config.encoderHidDim() : config.crossAttentionDim();
        Shape ctx = encoderHiddenStates.getShape();
        if (ctx.dimension() != 3 || ctx.get(0) != batch || ctx.get(2) != contextDim) {
            throw new IllegalArgumentException("encoderHiddenStates must be (" + batch + ", L, " + contextDim
                    + "), got " + ctx);
        }
        if (timesteps.size() != 1 && timesteps.size() != batch) {
            throw new IllegalArgumentException("timesteps must hold 1 or " + batch + " values, got "
                    + timesteps.getShape());
        }
        if (config.usesTextTime()) {
            if (textEmbeds == null || timeIds == null) {
                throw new IllegalArgumentException("this UNet (addition_embed_type text_time) needs textEmbeds and "
                        + "timeIds");
            }
            long expected = config.projectionClassEmbeddingsInputDim();
            long got = textEmbeds.getShape().get(1) + timeIds.getShape().get(1) * config.additionTimeEmbedDim();
            if (textEmbeds.getShape().get(0) != batch || timeIds.getShape().get(0) != batch || got != expected) {
                throw new IllegalArgumentException("textEmbeds " + textEmbeds.getShape() + " and timeIds "
                        + timeIds.getShape() + " do not give add_embedding's " + expected + " input features");
            }
        }
        NDManager caller = sample.getManager();
        try (NDManager scope = caller.newSubManager(device)) {
            for (NDArray a : new NDArray[] {sample, timesteps, encoderHiddenStates, textEmbeds, timeIds}) {
                if (a != null && a.getManager() != scope) {
                    a.tempAttach(scope);
                }
            }
            NDArray out = run(prepare(sample), timesteps, prepare(encoderHiddenStates), textEmbeds, timeIds, batch);
            NDArray result = out.toType(DataType.FLOAT32, false).toDevice(caller.getDevice(), false);
            result.attach(caller);
            return result;
        }
    }

    private NDArray prepare(NDArray x) {
        return x.toDevice(device, false).toType(dataType, false);
    }

    private NDArray run(NDArray sample, NDArray timesteps, NDArray context, NDArray textEmbeds, NDArray timeIds,
                        long batch) {
        // 1. time embedding: emb = MLP(sinusoid(t)) (+ add_embedding([text_embeds, sinusoid(time_ids)]))
        NDArray t = timesteps.toDevice(device, false).toType(DataType.FLOAT32, false).reshape(-1);
        if (t.size() != batch) {
            t = t.broadcast(new Shape(batch));
        }
        NDArray emb = timeEmbedding.mlp(timeEmbedding.project(t).toType(dataType, false));
        if (addEmbedding != null) {
            NDArray ids = timeIds.toDevice(device, false).toType(DataType.FLOAT32, false).reshape(-1);
            NDArray timeEmbeds = addTimeProj.project(ids).reshape(batch, -1);
            NDArray text = textEmbeds.toDevice(device, false).toType(DataType.FLOAT32, false);
            NDArray addEmbeds = NDArrays.concat(new NDList(text, timeEmbeds), -1).toType(dataType, false);
            emb = emb.add(addEmbedding.mlp(addEmbeds));
        }
        if (config.timeEmbeddingActFn() != null) {
            emb = Activations.apply(config.timeEmbeddingActFn(), emb);
        }
        NDArray activatedTemb = config.resnetSkipTimeAct() ? emb : Activations.apply(config.actFn(), emb);
        NDArray ctx = encoderHidProj == null ? context : encoderHidProj.forward(context);

        // 2. conv_in: (B, C0, H, W)
        NDArray x = config.centerInputSample() ? Scalars.mul(sample, 2).sub(1f) : sample;
        x = convIn.forward(x);

        // 3. down path, keeping skips
        List<NDArray> skips = new ArrayList<>();
        skips.add(x);
        for (DownBlock2d block : downBlocks) {
            x = block.forward(x, activatedTemb, ctx, skips);
        }
        // 4. mid block
        if (midBlock != null) {
            x = midBlock.forward(x, activatedTemb, ctx);
        }
        // 5. up path: each block consumes its skips; upsampling targets the next skip's size
        for (int i = 0; i < upBlocks.size(); i++) {
            UpBlock2d block = upBlocks.get(i);
            long[] upsampleTo = null;
            if (i < upBlocks.size() - 1) {
                Shape next = skips.get(skips.size() - 1 - block.layers()).getShape();
                upsampleTo = new long[] {next.get(2), next.get(3)};
            }
            x = block.forward(x, activatedTemb, ctx, skips, upsampleTo);
        }
        if (!skips.isEmpty()) {
            throw new IllegalStateException("UNet up path left " + skips.size() + " skip connections unused");
        }
        // 6. out: conv_out(act(norm(x)))
        return convOut.forward(Activations.apply(config.actFn(), convNormOut.forward(x)));
    }

    @Override
    public void close() {
        manager.close();
    }
}
