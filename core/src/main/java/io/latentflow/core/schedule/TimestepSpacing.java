package io.latentflow.core.schedule;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How inference timesteps are spread over the training range [0, T) (Lin et al. 2023, "Common diffusion noise
 * schedules and sample steps are flawed", Table 2), as diffusers 0.27.2 computes them.
 */
public enum TimestepSpacing {
    /** t_i = i * (T div n) + stepsOffset, descending: never reaches T - 1. */
    LEADING("leading"),
    /** t_i = round(T - i * T / n) - 1, descending: starts at T - 1. */
    TRAILING("trailing"),
    /** n points of linspace(0, T - 1), descending. */
    LINSPACE("linspace");

    private final String configName;

    TimestepSpacing(String configName) {
        this.configName = configName;
    }

    /** The name used in scheduler_config.json. */
    public String configName() {
        return configName;
    }

    /** Parses a scheduler_config.json timestep_spacing. */
    public static TimestepSpacing parse(String name) {
        for (TimestepSpacing s : values()) {
            if (s.configName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("timestep_spacing '" + name + "' is not one of "
                + Arrays.stream(values()).map(TimestepSpacing::configName).collect(Collectors.joining(", ", "[", "]")));
    }

    /**
     * Descending timesteps as real numbers, before any rounding: leading and trailing are already integers,
     * linspace is fractional (Euler keeps it so, DDIM/DDPM round it half to even as numpy does).
     *
     * @param steps       n, the number of inference steps
     * @param trainSteps  T
     * @param stepsOffset added to leading timesteps
     */
    public double[] timesteps(int steps, int trainSteps, int stepsOffset) {
        return switch (this) {
            case LINSPACE -> reverse(linspace(0, trainSteps - 1, steps));
            case LEADING -> {
                int ratio = trainSteps / steps;
                double[] t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    t[i] = (double) (steps - 1 - i) * ratio + stepsOffset;
                }
                yield t;
            }
            case TRAILING -> {
                double ratio = (double) trainSteps / steps;
                double[] a = arange(trainSteps, 0, -ratio);
                double[] t = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    t[i] = Math.rint(a[i]) - 1;
                }
                yield t;
            }
        };
    }

    /** numpy.linspace(start, stop, num): start + i * step, the last point exactly stop. */
    public static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        if (num == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            out[i] = start + i * step;
        }
        out[num - 1] = stop;
        return out;
    }

    /** numpy.arange(start, stop, step) with a real step: ceil((stop - start) / step) points start + i * step. */
    private static double[] arange(double start, double stop, double step) {
        int n = (int) Math.ceil((stop - start) / step);
        double[] out = new double[Math.max(n, 0)];
        for (int i = 0; i < out.length; i++) {
            out[i] = start + i * step;
        }
        return out;
    }

    private static double[] reverse(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }
}
