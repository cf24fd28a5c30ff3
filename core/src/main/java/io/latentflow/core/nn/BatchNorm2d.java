package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Batch normalization (Ioffe and Szegedy 2015, Algorithm 1) over (B, H, W) per channel, as PyTorch's BatchNorm2d.
 * In training the batch statistics normalize (biased variance) and the running statistics move towards them:
 * running = (1 - momentum) running + momentum batch, the variance there unbiased (n / (n - 1)). Otherwise the running
 * statistics normalize. weight, bias, running_mean, running_var: (C).
 */
public record BatchNorm2d(NDArray weight, NDArray bias, NDArray runningMean, NDArray runningVar,
                          NDArray batchesTracked, float eps, float momentum) {

    /** Looks up weight, bias, running_mean, running_var and num_batches_tracked under the view. */
    public static BatchNorm2d load(Weights w, long channels, float eps, float momentum) {
        return new BatchNorm2d(w.get("weight", channels), w.get("bias", channels), w.get("running_mean", channels),
                w.get("running_var", channels), w.get("num_batches_tracked"), eps, momentum);
    }

    /** x: (B, C, H, W) -> (B, C, H, W); in training also updates the running statistics in place. */
    public NDArray forward(NDArray x, boolean training) {
        Shape s = x.getShape();
        long c = s.get(1);
        NDArray mean;
        NDArray var;
        if (training) {
            // per channel over (B, H, W): the channel axis first, everything else flattened
            NDArray perChannel = x.transpose(1, 0, 2, 3).reshape(c, -1);
            long n = perChannel.getShape().get(1);
            mean = perChannel.mean(new int[] {1});
            var = perChannel.sub(mean.reshape(c, 1)).square().mean(new int[] {1});
            // detached views share storage with the batch statistics: update the buffers out of place
            NDArray batchMean = mean.stopGradient();
            NDArray unbiased = var.stopGradient().mul((float) n / (n - 1));
            runningMean.muli(1 - momentum).addi(batchMean.mul(momentum));
            runningVar.muli(1 - momentum).addi(unbiased.mul(momentum));
            batchesTracked.addi(1);
        } else {
            mean = runningMean;
            var = runningVar;
        }
        NDArray scale = var.add(eps).sqrt();
        return x.sub(mean.reshape(1, c, 1, 1)).div(scale.reshape(1, c, 1, 1))
                .mul(weight.reshape(1, c, 1, 1)).add(bias.reshape(1, c, 1, 1));
    }
}
