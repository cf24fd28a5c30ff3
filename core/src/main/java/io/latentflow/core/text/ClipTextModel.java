package io.latentflow.core.text;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.latentflow.core.model.ComponentWeights;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.nn.Activations;
import io.latentflow.core.nn.Attention;
import io.latentflow.core.nn.LayerNorm;
import io.latentflow.core.nn.RandomWeights;
import io.latentflow.core.nn.Linear;
import io.latentflow.core.nn.Weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CLIP text transformer (Radford et al. 2021) as transformers' CLIPTextModel and CLIPTextModelWithProjection:
 * token + position embeddings, pre-LN encoder layers with causal self-attention, a final layer norm, pooling at the
 * end-of-text token and, with projection, text_projection of the pooled vector. Weights are read by their checkpoint
 * keys ({@code text_model.encoder.layers.<i>.self_attn.q_proj.weight}, ...).
 */
public final class ClipTextModel implements AutoCloseable {

    private final ClipTextConfig config;
    private final NDManager manager;
    private final Device device;
    private final DataType dataType;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<EncoderLayer> layers;
    private final LayerNorm finalLayerNorm;
    private final Linear textProjection;
    private final NDArray causalMask;

    /** One pre-LN transformer layer: x + attn(ln1(x)), then x + mlp(ln2(x)). */
    private record EncoderLayer(LayerNorm layerNorm1, Linear qProj, Linear kProj, Linear vProj, Linear outProj,
            LayerNorm layerNorm2, Linear fc1, Linear fc2) {

        static EncoderLayer load(Weights w, ClipTextConfig c) {
            long d = c.hiddenSize();
            long ff = c.intermediateSize();
            float eps = (float) c.layerNormEps();
            Weights attn = w.child("self_attn");
            Weights mlp = w.child("mlp");
            return new EncoderLayer(
                    LayerNorm.load(w.child("layer_norm1"), d, eps),
                    Linear.load(attn.child("q_proj"), d, d, true),
                    Linear.load(attn.child("k_proj"), d, d, true),
                    Linear.load(attn.child("v_proj"), d, d, true),
                    Linear.load(attn.child("out_proj"), d, d, true),
                    LayerNorm.load(w.child("layer_norm2"), d, eps),
                    Linear.load(mlp.child("fc1"), d, ff, true),
                    Linear.load(mlp.child("fc2"), ff, d, true));
        }

        /** x: (B, L, D), mask: (L, L) additive causal mask -> (B, L, D). */
        NDArray forward(NDArray x, NDArray mask, int heads, String activation) {
            // 1. causal multi-head self-attention on the normalized input, residual
            NDArray h = layerNorm1.forward(x);
            NDArray attended = Attention.scaledDotProduct(qProj.forward(h), kProj.forward(h), vProj.forward(h),
                    heads, mask, true);
            NDArray afterAttention = x.add(outProj.forward(attended));
            // 2. MLP fc2(act(fc1(ln2(x)))), residual
            NDArray m = fc2.forward(Activations.apply(activation, fc1.forward(layerNorm2.forward(afterAttention))));
            return afterAttention.add(m);
        }
    }

    private ClipTextModel(ClipTextConfig config, NDManager manager, Device device, DataType dataType, Weights w) {
        this.config = config;
        this.manager = manager;
        this.device = device;
        this.dataType = dataType;
        long d = config.hiddenSize();
        Weights text = w.child("text_model");
        Weights embeddings = text.child("embeddings");
        // token_embedding: (V, D), position_embedding: (P, D)
        this.tokenEmbedding = embeddings.child("token_embedding").get("weight", config.vocabSize(), d);
        this.positionEmbedding = embeddings.child("position_embedding").get("weight", config.maxPositionEmbeddings(), d);
        List<EncoderLayer> loaded = new ArrayList<>(config.numHiddenLayers());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            loaded.add(EncoderLayer.load(text.child("encoder").child("layers").child(i), config));
        }
        this.layers = List.copyOf(loaded);
        this.finalLayerNorm = LayerNorm.load(text.child("final_layer_norm"), d, (float) config.layerNormEps());
        // text_projection: (projectionDim, D), no bias
        this.textProjection = config.withProjection()
                ? Linear.load(w.child("text_projection"), d, config.projectionDim(), false)
                : null;
        this.causalMask = causalMask(manager, config.maxPositionEmbeddings());
    }

    /**
     * Loads config.json and the weights (model.safetensors, or a sharded index) of a text encoder folder, converted
     * to the requested dtype on the requested device.
     */
    public static ClipTextModel load(Path componentDir, ModelOptions options) {
        ClipTextConfig config = ClipTextConfig.read(componentDir.resolve("config.json"));
        Path weightsFile = ComponentWeights.locate(componentDir);
        NDManager manager = NDManager.newBaseManager(options.device());
        try {
            Map<String, NDArray> tensors = ComponentWeights.read(weightsFile, manager, options.dataType());
            Weights w = Weights.of(tensors, weightsFile.toString(), manager);
            ClipTextModel model = new ClipTextModel(config, manager, options.device(), options.dataType(), w);
            w.report().requireComplete();
            // tensors the model does not use (such as the position_ids buffer of older checkpoints)
            for (String unused : w.report().unexpected()) {
                tensors.get(unused).close();
            }
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A text model over already loaded weights (for training: {@link Weights#trainable} parameters, rebuilt each
     * step); the model's arrays live in {@code w.manager()}. Fails naming every missing tensor and wrong shape.
     */
    public static ClipTextModel of(ClipTextConfig config, Weights w, DataType dataType) {
        ClipTextModel model = new ClipTextModel(config, w.manager(), w.manager().getDevice(), dataType, w);
        w.report().requireComplete();
        return model;
    }

    /** Every parameter key of the architecture and its shape, in the order the model looks them up. */
    public static Map<String, Shape> parameterShapes(ClipTextConfig config) {
        return RandomWeights.shapes("text encoder config", Device.cpu(),
                (manager, w) -> new ClipTextModel(config, manager, Device.cpu(), DataType.FLOAT32, w));
    }

    /** The architecture read from config.json. */
    public ClipTextConfig config() {
        return config;
    }

    /** Floating-point type of the weights and outputs. */
    public DataType dataType() {
        return dataType;
    }

    /**
     * Encodes token ids. The results belong to {@code inputIds}' manager; nothing else outlives the call.
     *
     * @param inputIds (B, L) integer ids, L at most max_position_embeddings, no attention mask (as SD pipelines)
     */
    public ClipTextOutput forward(NDArray inputIds) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || shape.get(1) > config.maxPositionEmbeddings() || shape.get(1) < 1) {
            throw new IllegalArgumentException("input ids must be (B, L) with 1 <= L <= "
                    + config.maxPositionEmbeddings() + ", got " + shape);
        }
        long batch = shape.get(0);
        int length = (int) shape.get(1);
        NDManager caller = inputIds.getManager();
        try (NDManager scope = caller.newSubManager(device)) {
            inputIds.tempAttach(scope);
            NDArray ids = inputIds.toDevice(device, false).toType(DataType.INT64, false);
            long[] idValues = ids.toLongArray();
            // slices of model-owned tensors are new arrays: they belong to this call's scope
            NDArray positions = positionEmbedding.get(new NDIndex(":{}", length));
            positions.attach(scope);
            NDArray mask = causalMask.get(new NDIndex(":{}, :{}", length, length));
            mask.attach(scope);

            // 1. embeddings: token_embedding[ids] + position_embedding[0..L): (B, L, D)
            NDArray h = ids.getNDArrayInternal().embedding(ids, tokenEmbedding, SparseFormat.DENSE)
                    .singletonOrThrow().add(positions);
            List<NDArray> hiddenStates = new ArrayList<>(layers.size() + 1);
            hiddenStates.add(h);
            // 2. encoder layers with the causal mask
            for (EncoderLayer layer : layers) {
                h = layer.forward(h, mask, config.numAttentionHeads(), config.hiddenAct());
                hiddenStates.add(h);
            }
            // 3. final layer norm
            NDArray lastHiddenState = finalLayerNorm.forward(h);
            // 4. pooling at each row's end-of-text position, 5. projection
            NDList rows = new NDList((int) batch);
            for (int b = 0; b < batch; b++) {
                rows.add(lastHiddenState.get(b, pooledIndex(idValues, b * length, length)));
            }
            NDArray pooled = NDArrays.stack(rows);
            NDArray textEmbeds = textProjection == null ? null : textProjection.forward(pooled);

            lastHiddenState.attach(caller);
            pooled.attach(caller);
            hiddenStates.forEach(s -> s.attach(caller));
            if (textEmbeds != null) {
                textEmbeds.attach(caller);
            }
            return new ClipTextOutput(lastHiddenState, pooled, hiddenStates, textEmbeds);
        }
    }

    /**
     * Position pooled for one row: argmax of the ids when the config has the legacy eos_token_id 2, otherwise the
     * first position holding eos_token_id (0 when there is none), as transformers 4.36.
     */
    private long pooledIndex(long[] ids, int offset, int length) {
        int best = 0;
        for (int i = 0; i < length; i++) {
            long id = ids[offset + i];
            if (config.legacyPooling()) {
                if (id > ids[offset + best]) {
                    best = i;
                }
            } else if (id == config.eosTokenId()) {
                return i;
            }
        }
        return best;
    }

    /** Number of arrays the model holds (weights and constants); forward passes leave it unchanged. */
    int residentArrayCount() {
        return manager.getManagedArrays().size();
    }

    /** Frees the weights. */
    @Override
    public void close() {
        manager.close();
    }

    /** (P, P) additive mask, the largest negative float above the diagonal: position i attends to j <= i only. */
    private static NDArray causalMask(NDManager manager, int positions) {
        float[] values = new float[positions * positions];
        for (int i = 0; i < positions; i++) {
            for (int j = i + 1; j < positions; j++) {
                values[i * positions + j] = -Float.MAX_VALUE;
            }
        }
        return manager.create(values, new Shape(positions, positions));
    }
}
