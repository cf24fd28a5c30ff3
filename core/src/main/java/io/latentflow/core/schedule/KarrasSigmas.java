package io.latentflow.core.schedule;

/**
 * Noise levels of Karras et al. 2022 ("Elucidating the design space of diffusion-based generative models"),
 * eq. 5: sigma_i = (sigmaMax^(1/rho) + i / (n - 1) (sigmaMin^(1/rho) - sigmaMax^(1/rho)))^rho, rho = 7.
 */
public final class KarrasSigmas {
    /** rho = 7, the value used in the paper. */
    public static final double RHO = 7.0;

    private KarrasSigmas() {
    }

    /** n descending noise levels from sigmaMax to sigmaMin (double precision, as diffusers computes them in numpy). */
    public static double[] of(double sigmaMin, double sigmaMax, int n) {
        double[] ramp = TimestepSpacing.linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / RHO);
        double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) {
            sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), RHO);
        }
        return sigmas;
    }
}
