package io.latentflow.core.schedule;

/**
 * Builds the inference schedules of diffusers 0.27.2: integer timesteps for DDPM/DDIM, interpolated sigmas for
 * Euler-style samplers and rounded ones for DPM-Solver.
 */
public final class Schedules {
    private Schedules() {
    }

    /** DDPM/DDIM: n integer timesteps (linspace rounded half to even), no sigmas, x_T ~ N(0, I). */
    public static Schedule discrete(SchedulerConfig config, int steps) {
        requireSteps(config, steps);
        NoiseSchedule noise = NoiseSchedule.of(config);
        double[] t = config.timestepSpacing().timesteps(steps, config.numTrainTimesteps(), config.stepsOffset());
        float[] timesteps = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            timesteps[i] = (float) Math.rint(t[i]);
        }
        return Schedule.of(timesteps, null, 1f, noise, steps);
    }

    /**
     * Euler / Euler ancestral (k-diffusion discretisation of the VE ODE): sigma_i = sigma(t_i) interpolated linearly
     * in t, or Karras sigmas with fractional t_i = t(sigma_i); sigma_n = 0. x_T ~ N(0, initNoiseSigma^2 I) with
     * initNoiseSigma = sigma_0 (linspace, trailing) or sqrt(sigma_0^2 + 1) (leading).
     */
    public static Schedule eulerSigmas(SchedulerConfig config, int steps, boolean karras) {
        requireSteps(config, steps);
        NoiseSchedule noise = sigmaNoise(config);
        double[] raw = config.timestepSpacing().timesteps(steps, config.numTrainTimesteps(), config.stepsOffset());
        double[] t = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            t[i] = (float) raw[i];
        }
        float[] trainSigmas = noise.sigmas();
        double[] sigmas = SigmaInterpolation.sigmasAt(t, trainSigmas);
        if (karras) {
            double sigmaMin = config.sigmaMin() != null ? config.sigmaMin() : sigmas[sigmas.length - 1];
            double sigmaMax = config.sigmaMax() != null ? config.sigmaMax() : sigmas[0];
            sigmas = KarrasSigmas.of(sigmaMin, sigmaMax, steps);
            float[] logSigmas = SigmaInterpolation.logSigmas(trainSigmas);
            t = new double[sigmas.length];
            for (int i = 0; i < sigmas.length; i++) {
                t[i] = SigmaInterpolation.timestepFor(sigmas[i], logSigmas);
            }
        }
        float[] timesteps = toFloat(t);
        float[] withFinal = new float[sigmas.length + 1];
        float max = 0;
        for (int i = 0; i < sigmas.length; i++) {
            withFinal[i] = (float) sigmas[i];
            max = Math.max(max, withFinal[i]);
        }
        float init = config.timestepSpacing() == TimestepSpacing.LEADING ? (float) Math.sqrt(max * max + 1f) : max;
        return Schedule.of(timesteps, withFinal, init, noise, steps);
    }

    /**
     * DPM-Solver (Lu et al. 2022): n + 1 points of the spacing with the last dropped, rounded to integers; sigmas
     * interpolated in t or Karras sigmas with t rounded from t(sigma); the final sigma 0 (or sigma_min).
     */
    public static Schedule dpmSolver(SchedulerConfig config, int steps, boolean karras) {
        requireSteps(config, steps);
        NoiseSchedule noise = sigmaNoise(config);
        int trainSteps = config.numTrainTimesteps();
        double[] t = switch (config.timestepSpacing()) {
            case LINSPACE -> {
                double[] up = TimestepSpacing.linspace(0, trainSteps - 1, steps + 1);
                double[] out = new double[steps];
                for (int i = 0; i < steps; i++) {
                    out[i] = Math.rint(up[steps - i]);
                }
                yield out;
            }
            case LEADING -> {
                int ratio = trainSteps / (steps + 1);
                double[] out = new double[steps];
                for (int i = 0; i < steps; i++) {
                    out[i] = (double) (steps - i) * ratio + config.stepsOffset();
                }
                yield out;
            }
            case TRAILING -> TimestepSpacing.TRAILING.timesteps(steps, trainSteps, config.stepsOffset());
        };
        float[] trainSigmas = noise.sigmas();
        double[] sigmas;
        if (karras) {
            double sigmaMin = config.sigmaMin() != null ? config.sigmaMin() : trainSigmas[0];
            double sigmaMax = config.sigmaMax() != null ? config.sigmaMax() : trainSigmas[trainSigmas.length - 1];
            sigmas = KarrasSigmas.of(sigmaMin, sigmaMax, steps);
            float[] logSigmas = SigmaInterpolation.logSigmas(trainSigmas);
            t = new double[sigmas.length];
            for (int i = 0; i < sigmas.length; i++) {
                t[i] = Math.rint(SigmaInterpolation.timestepFor(sigmas[i], logSigmas));
            }
        } else {
            sigmas = SigmaInterpolation.sigmasAt(t, trainSigmas);
        }
        float last = "sigma_min".equals(config.finalSigmasType()) ? trainSigmas[0] : 0f;
        float[] withFinal = new float[sigmas.length + 1];
        for (int i = 0; i < sigmas.length; i++) {
            withFinal[i] = (float) sigmas[i];
        }
        withFinal[sigmas.length] = last;
        return Schedule.of(toFloat(t), withFinal, 1f, noise, t.length);
    }

    /** Sigma schedules of zero-SNR configurations replace the infinite last sigma by alphaCumprod = 2^-24. */
    private static NoiseSchedule sigmaNoise(SchedulerConfig config) {
        NoiseSchedule noise = NoiseSchedule.of(config);
        return config.rescaleBetasZeroSnr() ? noise.withTerminalAlphaCumprod((float) Math.pow(2, -24)) : noise;
    }

    private static void requireSteps(SchedulerConfig config, int steps) {
        if (steps < 1 || steps > config.numTrainTimesteps()) {
            throw new IllegalArgumentException("steps must be in [1, " + config.numTrainTimesteps() + "], got " + steps);
        }
    }

    private static float[] toFloat(double[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) a[i];
        }
        return out;
    }
}
