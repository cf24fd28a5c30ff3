package io.latentflow.cli.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.core.unet.UNet2dConditionModel;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** UNet: sample, timestep, encoder_hidden_states (+ text_embeds, time_ids for SDXL) -> out. */
final class UnetRunner implements ComponentRunner {

    private static final int SDXL_TIME_IDS = 6;
    static final int TEXT_TOKENS = 77;

    private final UNet2dConditionModel unet;
    private final Path dir;

    UnetRunner(Path dir, ModelOptions options, boolean randomWeights) {
        this.dir = dir;
        this.unet = randomWeights ? UNet2dConditionModel.withRandomWeights(dir.resolve("config.json"), options)
                : UNet2dConditionModel.load(dir, options);
    }

    @Override
    public long parameterCount() {
        return ComponentRunner.scalars(UNet2dConditionModel.parameterShapes(unet.config()));
    }

    @Override
    public Path configFile() {
        return dir.resolve("config.json");
    }

    /** Whether it takes SDXL's added text and time conditioning. */
    boolean usesTextTime() {
        return unet.config().usesTextTime();
    }

    @Override
    public Map<String, NDArray> run(Map<String, NDArray> inputs) {
        NDArray out = unet.forward(ComponentRunner.required(inputs, "sample", "unet"),
                ComponentRunner.required(inputs, "timestep", "unet"),
                ComponentRunner.required(inputs, "encoder_hidden_states", "unet"),
                unet.config().usesTextTime() ? ComponentRunner.required(inputs, "text_embeds", "unet") : null,
                unet.config().usesTextTime() ? ComponentRunner.required(inputs, "time_ids", "unet") : null);
        return Map.of("out", out);
    }

    @Override
    public Map<String, NDArray> exampleInputs(NDManager manager, int batch, int height, int width) {
        UNet2dConditionConfig c = unet.config();
        Map<String, NDArray> in = new LinkedHashMap<>();
        in.put("sample", manager.randomNormal(new Shape(batch, c.inChannels(), height, width)));
        in.put("timestep", manager.full(new Shape(batch), 500f));
        int contextDim = c.encoderHidDim() != null ? c.encoderHidDim() : c.crossAttentionDim();
        in.put("encoder_hidden_states", manager.randomNormal(new Shape(batch, TEXT_TOKENS, contextDim)));
        if (c.usesTextTime()) {
            int pooled = c.projectionClassEmbeddingsInputDim() - SDXL_TIME_IDS * c.additionTimeEmbedDim();
            in.put("text_embeds", manager.randomNormal(new Shape(batch, pooled)));
            float h = height * 8f;
            float w = width * 8f;
            float[] ids = new float[batch * SDXL_TIME_IDS];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(new float[] {h, w, 0, 0, h, w}, 0, ids, b * SDXL_TIME_IDS, SDXL_TIME_IDS);
            }
            in.put("time_ids", manager.create(ids, new Shape(batch, SDXL_TIME_IDS)));
        }
        return in;
    }

    @Override
    public void close() {
        unet.close();
    }
}
