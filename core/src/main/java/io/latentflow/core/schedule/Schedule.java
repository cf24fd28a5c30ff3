package io.latentflow.core.schedule;

/**
 * The inference timesteps of one sampling run and, for sigma-based samplers, their noise levels; a window
 * [beginIndex, endIndex) selects the steps actually run (img2img strength, base/refiner split).
 *
 * @param timesteps          t_i handed to the model, descending (fractional for interpolated Karras/Euler schedules)
 * @param sigmas             sigma_i for sigma-based samplers (length n + 1, the last the final noise level), else null
 * @param initNoiseSigma     the standard deviation of the starting noise x_T
 * @param noise              the training noise schedule
 * @param numInferenceSteps  n, the number of steps the schedule was made for
 * @param beginIndex         the first step run
 * @param endIndex           one past the last step run
 */
public record Schedule(
        float[] timesteps,
        float[] sigmas,
        float initNoiseSigma,
        NoiseSchedule noise,
        int numInferenceSteps,
        int beginIndex,
        int endIndex) {

    public Schedule {
        if (beginIndex < 0 || endIndex > timesteps.length || beginIndex > endIndex) {
            throw new IllegalArgumentException("step window [" + beginIndex + ", " + endIndex
                    + ") is outside [0, " + timesteps.length + "]");
        }
    }

    /** A full schedule over all its timesteps. */
    public static Schedule of(float[] timesteps, float[] sigmas, float initNoiseSigma, NoiseSchedule noise, int steps) {
        return new Schedule(timesteps, sigmas, initNoiseSigma, noise, steps, 0, timesteps.length);
    }

    /** The number of steps in the window. */
    public int steps() {
        return endIndex - beginIndex;
    }

    /** t_i. */
    public float timestep(int index) {
        return timesteps[index];
    }

    /** sigma_i (sigma-based samplers only). */
    public float sigma(int index) {
        if (sigmas == null) {
            throw new IllegalStateException("this schedule has no sigmas");
        }
        return sigmas[index];
    }

    /** The same schedule restricted to [begin, end). */
    public Schedule window(int begin, int end) {
        return new Schedule(timesteps, sigmas, initNoiseSigma, noise, numInferenceSteps, begin, end);
    }

    /**
     * img2img: run only the last int(n * strength) steps (diffusers' get_timesteps), so that the init image is noised
     * to the first of them.
     *
     * @param strength in (0, 1]
     */
    public Schedule forStrength(double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
        }
        int n = timesteps.length;
        int initTimestep = Math.min((int) (n * strength), n);
        int start = Math.max(n - initTimestep, 0);
        return window(start, endIndex);
    }

    /**
     * Ensemble of expert denoisers, first expert (SDXL base): keep the steps with t >= round(T - denoisingEnd * T).
     *
     * @param denoisingEnd in (0, 1)
     */
    public Schedule until(double denoisingEnd) {
        requireFraction("denoising_end", denoisingEnd);
        int trainSteps = noise.trainSteps();
        long cutoff = (long) Math.rint(trainSteps - denoisingEnd * trainSteps);
        int count = 0;
        for (float t : timesteps) {
            if (t >= cutoff) {
                count++;
            }
        }
        return window(beginIndex, Math.min(endIndex, Math.max(beginIndex, count)));
    }

    /**
     * Ensemble of expert denoisers, second expert (SDXL refiner): keep the steps with t < round(T - denoisingStart * T).
     *
     * @param denoisingStart in (0, 1)
     */
    public Schedule from(double denoisingStart) {
        requireFraction("denoising_start", denoisingStart);
        int trainSteps = noise.trainSteps();
        long cutoff = (long) Math.rint(trainSteps - denoisingStart * trainSteps);
        int count = 0;
        for (float t : timesteps) {
            if (t < cutoff) {
                count++;
            }
        }
        return window(timesteps.length - count, endIndex);
    }

    private static void requireFraction(String name, double value) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1), got " + value);
        }
    }
}
