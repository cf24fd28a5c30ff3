package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.nn.Weights;
import io.latentflow.core.text.ClipTextConfig;
import io.latentflow.core.text.ClipTextModel;
import io.latentflow.core.text.ClipTokenizer;

import java.util.List;
import java.util.Map;

/**
 * Where a UNet run's text conditioning comes from: hidden states computed once by a frozen text encoder, or a CLIP
 * text model trained with the UNet (LDM's trainable conditioning stage). A dropped caption is the empty one, so the
 * model also learns the unconditional prediction that classifier-free guidance needs (Ho and Salimans 2022).
 */
public sealed interface TextConditioning permits TextConditioning.Frozen, TextConditioning.Joint {

    /** Hidden states (B, L, D) for dataset items, the dropped ones as the empty caption, in the step's graph. */
    NDArray context(int[] items, boolean[] dropped, TrainingStep step, TrainedComponent textEncoder);

    /**
     * [empty x P; validation prompts] hidden states (2P, L, D) for guided validation sampling, from {@code weights}
     * (the text encoder's published weights when it is trained), in {@code manager}.
     */
    NDArray validation(Map<String, NDArray> weights, NDManager manager);

    /**
     * Hidden states computed beforehand: captions (N, L, D), the empty caption (1, L, D), validation prompts
     * (P, L, D).
     */
    record Frozen(NDArray captions, NDArray empty, NDArray validationPrompts) implements TextConditioning {

        @Override
        public NDArray context(int[] items, boolean[] dropped, TrainingStep step, TrainedComponent textEncoder) {
            NDManager m = step.manager();
            // c_b = captions[item_b], or the empty caption where dropped: c (1 - d) + empty d, d in {0, 1}
            float[] drop = new float[items.length];
            for (int i = 0; i < items.length; i++) {
                drop[i] = dropped[i] ? 1f : 0f;
            }
            NDArray d = m.create(drop, new Shape(items.length, 1, 1));
            NDArray emptyCopy = empty.duplicate();
            emptyCopy.attach(m);
            return UNetTrainingRun.gather(captions, items, m).mul(d.neg().add(1f)).add(emptyCopy.mul(d));
        }

        @Override
        public NDArray validation(Map<String, NDArray> weights, NDManager manager) {
            long p = validationPrompts.getShape().get(0);
            NDArray uncond = empty.repeat(0, p);
            NDArray both = uncond.concat(validationPrompts, 0);
            both.attach(manager);
            uncond.close();
            return both;
        }
    }

    /** A CLIP text model trained with the UNet; captions tokenized once. */
    record Joint(ClipTextConfig config, ClipTokenizer tokenizer, List<String> captions, List<String> prompts)
            implements TextConditioning {

        @Override
        public NDArray context(int[] items, boolean[] dropped, TrainingStep step, TrainedComponent textEncoder) {
            String[] texts = new String[items.length];
            for (int i = 0; i < items.length; i++) {
                texts[i] = dropped[i] ? "" : captions.get(items[i]);
            }
            ClipTextModel model = ClipTextModel.of(config, step.weights(textEncoder.parameters(), "text_encoder"),
                    DataType.FLOAT32);
            return model.forward(ids(texts, step.manager())).lastHiddenState();
        }

        @Override
        public NDArray validation(Map<String, NDArray> weights, NDManager manager) {
            String[] texts = new String[2 * prompts.size()];
            for (int i = 0; i < prompts.size(); i++) {
                texts[i] = "";
                texts[prompts.size() + i] = prompts.get(i);
            }
            try (NDManager scope = manager.newSubManager()) {
                weights.values().forEach(w -> w.tempAttach(scope));
                ClipTextModel model = ClipTextModel.of(config, Weights.trainable(weights, "text_encoder", scope),
                        DataType.FLOAT32);
                NDArray states = model.forward(ids(texts, scope)).lastHiddenState();
                states.attach(manager);
                return states;
            }
        }

        private NDArray ids(String[] texts, NDManager manager) {
            int length = tokenizer.maxLength();
            long[] ids = new long[texts.length * length];
            for (int i = 0; i < texts.length; i++) {
                System.arraycopy(tokenizer.encode(texts[i]), 0, ids, i * length, length);
            }
            return manager.create(ids, new Shape(texts.length, length));
        }
    }
}
