package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential moving average of the parameters as latent diffusion's LitEma: after every optimizer step
 * n <- n + 1, d = min(decay, (1 + n) / (10 + n)), shadow <- shadow - (1 - d) (shadow - p). The warm-up cap lets
 * the average follow the early, fast-moving weights. Shadows start as copies of the parameters.
 */
public final class Ema implements AutoCloseable {

    private final TrainableParameters parameters;
    private final float decay;
    private final NDManager manager;
    private final Map<String, NDArray> shadows = new LinkedHashMap<>();
    private long updates;

    public Ema(TrainableParameters parameters, double decay) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException("ema decay must be in [0, 1], got " + decay);
        }
        this.parameters = parameters;
        this.decay = (float) decay;
        this.manager = parameters.manager().newSubManager();
        parameters.parameters().forEach((k, p) -> {
            NDArray shadow = p.stopGradient().duplicate();
            shadow.attach(manager);
            shadows.put(k, shadow);
        });
    }

    /** One update from the current parameters. */
    public void update() {
        updates++;
        double d = Math.min(decay, (1.0 + updates) / (10.0 + updates));
        float oneMinusDecay = (float) (1.0 - d);
        try (NDManager scope = manager.newSubManager()) {
            for (Map.Entry<String, NDArray> e : shadows.entrySet()) {
                NDArray shadow = e.getValue();
                NDArray p = parameters.parameters().get(e.getKey()).stopGradient();
                p.attach(scope);
                // ops on the shadow put their results in its manager: for the update, that is the scope
                shadow.tempAttach(scope);
                shadow.subi(shadow.sub(p).muli(oneMinusDecay));
            }
        }
    }

    /** The averaged tensors by parameter key (live arrays). */
    public Map<String, NDArray> shadows() {
        return shadows;
    }

    /** Updates so far (LitEma's num_updates). */
    public long updates() {
        return updates;
    }

    /** Restores shadows saved from {@link #shadows} and the update count. */
    public void restore(Map<String, NDArray> saved, long updateCount) {
        AdamW.copyInto(shadows, saved, "");
        updates = updateCount;
    }

    @Override
    public void close() {
        manager.close();
    }
}
