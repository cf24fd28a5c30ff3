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

    /** Clips the accumulated gradients of {@code parameters} in place. */
    public static Result clipByGlobalNorm(TrainableParameters parameters, double maxNorm) {
        try (NDManager scope = parameters.manager().newSubManager()) {
            int n = parameters.parameters().size();
            float[] norms = new float[n];
            int i = 0;
            for (String key : parameters.keys()) {
                norms[i++] = parameters.gradient(key, scope).norm().getFloat();
            }
            float total = scope.create(norms).norm().getFloat();
            float coefficient = Math.min(1f, (float) (maxNorm / (total + 1e-6)));
            for (NDArray p : parameters.parameters().values()) {
                NDArray g = p.getGradient();
                g.muli(coefficient);
                g.close();
            }
            return new Result(total, coefficient);
        }
    }
}
