package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * Classifier-free guidance (Ho and Salimans 2022, eq. 6) with the guidance rescale of Lin et al. 2023
 * ("Common diffusion noise schedules and sample steps are flawed", sec. 3.4), as diffusers' rescale_noise_cfg.
 */
public final class Guidance {
    private Guidance() {
    }

    /**
     * eps~ = eps_u + scale (eps_c - eps_u); with rescale r > 0:
     * eps~ = r eps~ std(eps_c) / std(eps~) + (1 - r) eps~, std per batch item over (C, H, W), unbiased (N - 1).
     *
     * <p>Shapes: uncond, cond (B, C, H, W); the result (B, C, H, W) is attached to {@code uncond.getManager()}.
     */
    public static NDArray combine(NDArray uncond, NDArray cond, float scale, float rescale) {
        NDManager owner = uncond.getManager();
        try (NDManager scope = owner.newSubManager()) {
            scope.tempAttachAll(uncond, cond);
            // 1. guided prediction eps_u + s (eps_c - eps_u)
            NDArray guided = uncond.add(cond.sub(uncond).mul(scale));
            if (rescale > 0) {
                // 2. match the per-image std of the conditional prediction, then blend with factor r
                NDArray ratio = unbiasedStd(cond).div(unbiasedStd(guided));
                NDArray rescaled = guided.mul(ratio);
                guided = rescaled.mul(rescale).add(guided.mul(1 - rescale));
            }
            guided.attach(owner);
            return guided;
        }
    }

    /** torch.std(x, dim=(1..n-1), keepdim=True): sqrt(sum (x - mean)^2 / (N - 1)) per batch item. */
    static NDArray unbiasedStd(NDArray x) {
        long batch = x.getShape().get(0);
        long count = x.getShape().size() / batch;
        long[] keep = new long[x.getShape().dimension()];
        Arrays.fill(keep, 1);
        keep[0] = batch;
        // flat: (B, N)
        NDArray flat = x.reshape(batch, count);
        NDArray centered = flat.sub(flat.mean(new int[] {1}, true));
        return centered.square().sum(new int[] {1}, true).div((float) (count - 1)).sqrt()
                .reshape(new Shape(keep));
    }
}
