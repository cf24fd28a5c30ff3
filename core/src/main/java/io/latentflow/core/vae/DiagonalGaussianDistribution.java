package io.latentflow.core.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.nn.Scalars;

/**
 * The VAE posterior q(z|x) = N(mean, diag(exp(logvar))) (Kingma and Welling 2014), logvar clamped to [-30, 20] as in
 * diffusers. The arrays belong to the manager of the images passed to {@link AutoencoderKl#encode}.
 */
public final class DiagonalGaussianDistribution {

    private static final float LOG_TWO_PI = (float) Math.log(2 * Math.PI);
    private static final int[] NON_BATCH_AXES = {1, 2, 3};

    private final NDArray mean;
    private final NDArray logvar;
    private final NDArray std;
    private final NDArray var;

    /** From the encoder's moments (B, 2C, h, w): first C channels the mean, last C the log-variance. */
    static DiagonalGaussianDistribution fromMoments(NDArray moments) {
        long c = moments.getShape().get(1) / 2;
        NDArray mean = moments.get(":, :" + c);
        NDArray logvar = moments.get(":, " + c + ":").clip(-30f, 20f);
        // std = exp(logvar / 2), var = exp(logvar)
        return new DiagonalGaussianDistribution(mean, logvar, Scalars.mul(logvar, 0.5).exp(), logvar.exp());
    }

    private DiagonalGaussianDistribution(NDArray mean, NDArray logvar, NDArray std, NDArray var) {
        this.mean = mean;
        this.logvar = logvar;
        this.std = std;
        this.var = var;
    }

    void attach(NDManager manager) {
        mean.attach(manager);
        logvar.attach(manager);
        std.attach(manager);
        var.attach(manager);
    }

    /** mu: (B, C, h, w). */
    public NDArray mean() {
        return mean;
    }

    /** log sigma^2, clamped to [-30, 20]. */
    public NDArray logvar() {
        return logvar;
    }

    /** sigma = exp(logvar / 2). */
    public NDArray std() {
        return std;
    }

    /** sigma^2 = exp(logvar). */
    public NDArray var() {
        return var;
    }

    /** z = mu + sigma * noise, noise ~ N(0, I) supplied by the caller (reparameterization, eq. 10). */
    public NDArray sample(NDArray noise) {
        return noise.mul(std).add(mean);
    }

    /** The distribution's mode, mu. */
    public NDArray mode() {
        return mean;
    }

    /** KL(q || N(0, I)) per batch item: 0.5 * sum(mu^2 + sigma^2 - 1 - log sigma^2) over (C, h, w). */
    public NDArray kl() {
        return Scalars.mul(mean.square().add(var).sub(1f).sub(logvar).sum(NON_BATCH_AXES), 0.5);
    }

    /** Negative log-likelihood of z per batch item: 0.5 * sum(log 2pi + log sigma^2 + (z - mu)^2 / sigma^2). */
    public NDArray nll(NDArray sample) {
        return Scalars.mul(sample.sub(mean).square().div(var).add(logvar).add(LOG_TWO_PI).sum(NON_BATCH_AXES), 0.5);
    }
}
