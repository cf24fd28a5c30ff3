package io.latentflow.core.schedule;

/**
 * Maps between training timesteps and noise levels sigma_t = sqrt((1 - alphaCumprod_t) / alphaCumprod_t):
 * piecewise-linear sigma(t) (numpy.interp) and its inverse, linear in log sigma (k-diffusion's sigma_to_t).
 */
public final class SigmaInterpolation {
    private SigmaInterpolation() {
    }

    /** numpy.interp(t, [0, 1, ..., T-1], sigmas): sigma at fractional timesteps. */
    public static double[] sigmasAt(double[] timesteps, float[] trainSigmas) {
        double[] out = new double[timesteps.length];
        int last = trainSigmas.length - 1;
        for (int i = 0; i < timesteps.length; i++) {
            double t = timesteps[i];
            if (t <= 0) {
                out[i] = trainSigmas[0];
            } else if (t >= last) {
                out[i] = trainSigmas[last];
            } else {
                int j = (int) Math.floor(t);
                double slope = (double) trainSigmas[j + 1] - trainSigmas[j];
                out[i] = slope * (t - j) + trainSigmas[j];
            }
        }
        return out;
    }

    /**
     * The fractional timestep whose log sigma interpolates linearly to log(sigma) between the two neighbouring
     * training timesteps (clamped to [0, T-1]).
     *
     * @param logSigmas log sigma_t of the training schedule in float32, ascending in t
     */
    public static double timestepFor(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int k = 0; k < logSigmas.length; k++) {
            if (logSigma - logSigmas[k] >= 0) {
                low = k;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        int high = low + 1;
        double lo = logSigmas[low];
        double hi = logSigmas[high];
        double w = (lo - logSigma) / (lo - hi);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * low + w * high;
    }

    /** log sigma_t in float32. */
    public static float[] logSigmas(float[] trainSigmas) {
        float[] out = new float[trainSigmas.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(trainSigmas[i]);
        }
        return out;
    }
}
