package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;

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
            // gradients are read through handles of their own (freed with the scope), norms stacked into one array
            List<NDArray> gradients = new ArrayList<>();
            NDList norms = new NDList();
            for (TrainableParameters set : sets) {
                for (NDArray p : set.parameters().values()) {
                    NDArray g = p.getGradient();
                    g.attach(scope);
                    gradients.add(g);
                    norms.add(g.norm());
                }
            }
            float total = NDArrays.stack(norms).norm().getFloat();
            float coefficient = Math.min(1f, (float) (maxNorm / (total + 1e-6)));
            for (NDArray g : gradients) {
                g.muli(coefficient);
            }
            return new Result(total, coefficient);
        }
    }
}
