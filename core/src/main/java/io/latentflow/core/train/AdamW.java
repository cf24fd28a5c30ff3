package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015, Algorithm 1) with PyTorch's two weight decays: decoupled (AdamW, Loshchilov and Hutter
 * 2019, Algorithm 2: p <- p (1 - lr wd) before the update) or L2 (Adam: g <- g + wd p). Per step s, for each
 * parameter p with gradient g:
 * <pre>
 *   m = b1 m + (1 - b1) g                 first moment
 *   v = b2 v + (1 - b2) g^2               second moment
 *   p = p - lr / (1 - b1^s) * m / (sqrt(v) / sqrt(1 - b2^s) + eps)
 * </pre>
 * as torch.optim's single-tensor implementation orders the operations. The moments and the step count are the
 * state a checkpoint saves.
 */
public final class AdamW {

    /** Settings, named as diffusers' training scripts name them. */
    public record Settings(double beta1, double beta2, double epsilon, double weightDecay, boolean decoupled) {

        public Settings {
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("adam_beta1 must be in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("adam_beta2 must be in [0, 1), got " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("adam_epsilon must be > 0, got " + epsilon);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("adam_weight_decay must be >= 0, got " + weightDecay);
            }
        }
    }

    private final TrainableParameters parameters;
    private final Settings settings;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long stepCount;

    public AdamW(TrainableParameters parameters, Settings settings) {
        this.parameters = parameters;
        this.settings = settings;
        NDManager manager = parameters.manager();
        for (Map.Entry<String, NDArray> e : parameters.parameters().entrySet()) {
            firstMoments.put(e.getKey(), manager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
            secondMoments.put(e.getKey(), manager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
        }
    }

    /** Applies one update with learning rate {@code lr} to every parameter from its accumulated gradient. */
    public void step(double lr) {
        stepCount++;
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        double biasCorrection1 = 1 - Math.pow(b1, stepCount);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(b2, stepCount));
        double stepSize = lr / biasCorrection1;
        try (NDManager scope = parameters.manager().newSubManager()) {
            for (Map.Entry<String, NDArray> e : parameters.parameters().entrySet()) {
                String key = e.getKey();
                NDArray p = e.getValue();
                NDArray m = firstMoments.get(key);
                NDArray v = secondMoments.get(key);
                // ops on these arrays put their results in the arrays' manager: for the step, that is the scope
                for (NDArray kept : new NDArray[] {p, m, v}) {
                    kept.tempAttach(scope);
                }
                NDArray g = p.getGradient();
                g.attach(scope);
                if (settings.weightDecay() != 0) {
                    if (settings.decoupled()) {
                        p.muli((float) (1 - lr * settings.weightDecay()));
                    } else {
                        g = g.add(p.mul((float) settings.weightDecay()));
                    }
                }
                // m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
                m.muli((float) b1).addi(g.mul((float) (1 - b1)));
                v.muli((float) b2).addi(g.mul(g).muli((float) (1 - b2)));
                // p -= stepSize * m / (sqrt(v) / sqrt(bc2) + eps)
                NDArray denominator = v.sqrt().divi((float) biasCorrection2Sqrt).addi((float) settings.epsilon());
                p.subi(m.div(denominator).muli((float) stepSize));
            }
        }
    }

    /** Steps taken so far. */
    public long stepCount() {
        return stepCount;
    }

    /**
     * The state to checkpoint: {@code exp_avg.<key>}, {@code exp_avg_sq.<key>} (the live arrays; copy before
     * changing them) and the step count.
     */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        firstMoments.forEach((k, v) -> out.put("exp_avg." + k, v));
        secondMoments.forEach((k, v) -> out.put("exp_avg_sq." + k, v));
        return out;
    }

    /** Restores moments saved by {@link #state} and the step count; fails naming a missing or mis-shaped key. */
    public void restore(Map<String, NDArray> state, long steps) {
        copyInto(firstMoments, state, "exp_avg.");
        copyInto(secondMoments, state, "exp_avg_sq.");
        stepCount = steps;
    }

    static void copyInto(Map<String, NDArray> targets, Map<String, NDArray> saved, String prefix) {
        for (Map.Entry<String, NDArray> e : targets.entrySet()) {
            NDArray s = saved.get(prefix + e.getKey());
            if (s == null || !s.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("checkpoint state '" + prefix + e.getKey() + "' "
                        + (s == null ? "is missing" : "has shape " + s.getShape() + ", expected "
                        + e.getValue().getShape()));
            }
            e.getValue().set(s.toType(e.getValue().getDataType(), false).toFloatArray());
        }
    }
}
