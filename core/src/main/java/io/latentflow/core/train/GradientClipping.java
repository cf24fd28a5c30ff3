package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Gradient clipping by global norm (Pascanu et al. 2013, Algorithm 1), as torch.nn.utils.clip_grad_norm_:
 * total = || (||g_1||, ..., ||g_n||) ||_2, every gradient scaled by min(1, maxNorm / (total + 1e-6)).
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /** What one clipping did: the norm before clipping and the factor applied. */
    public record Result(double totalNorm, double clipCoefficient) {
    }

    /** Clips the accumulated gradients of every parameter of the sets in place, over their joint norm. */
    public static Result clipByGlobalNorm(double maxNorm, TrainableParameters... sets) {
        try (NDManager scope = sets[0].manager().newSubManager()) {
            int n = 0;
            for (TrainableParameters set : sets) {
                n += set.parameters().size();
            }
            float[] norms = new float[n];
            int i = 0;
            for (TrainableParameters set : sets) {
                for (String key : set.keys()) {
                    norms[i++] = set.gradient(key, scope).norm().getFloat();
                }
            }
            float total = scope.create(norms).norm().getFloat();
            float coefficient = Math.min(1f, (float) (maxNorm / (total + 1e-6)));
            for (TrainableParameters set : sets) {
                for (NDArray p : set.parameters().values()) {
                    NDArray g = p.getGradient();
                    g.muli(coefficient);
                    g.close();
                }
            }
            return new Result(total, coefficient);
        }
    }
}
