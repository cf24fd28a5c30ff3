package io.latentflow.cli.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.text.ClipTextModel;
import io.latentflow.core.text.ClipTextOutput;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CLIP text encoder: input_ids -> last_hidden_state, pooled, hidden_states_&lt;i&gt;, text_embeds (with projection). */
final class TextEncoderRunner implements ComponentRunner {

    private final ClipTextModel model;
    private final Path dir;

    TextEncoderRunner(Path dir, ModelOptions options) {
        this.model = ClipTextModel.load(dir, options);
        this.dir = dir;
    }

    @Override
    public Map<String, NDArray> run(Map<String, NDArray> inputs) {
        ClipTextOutput o = model.forward(ComponentRunner.required(inputs, "input_ids", "text-encoder"));
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("last_hidden_state", o.lastHiddenState());
        out.put("pooled", o.pooled());
        List<NDArray> hidden = o.hiddenStates();
        for (int i = 0; i < hidden.size(); i++) {
            out.put("hidden_states_" + i, hidden.get(i));
        }
        if (o.textEmbeds() != null) {
            out.put("text_embeds", o.textEmbeds());
        }
        return out;
    }

    @Override
    public Map<String, NDArray> exampleInputs(NDManager manager, int batch, int height, int width) {
        int length = model.config().maxPositionEmbeddings();
        NDArray ids = manager.randomInteger(0, model.config().vocabSize(), new Shape(batch, length), DataType.INT64);
        return Map.of("input_ids", ids);
    }

    @Override
    public long parameterCount() {
        return ComponentRunner.scalars(ClipTextModel.parameterShapes(model.config()));
    }

    @Override
    public Path configFile() {
        return dir.resolve("config.json");
    }

    @Override
    public void close() {
        model.close();
    }
}
