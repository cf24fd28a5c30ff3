package io.latentflow.core.schedule;

import ai.djl.ndarray.NDArray;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a diffusion model predicts, and the one place where a model output is turned into x0 and eps.
 *
 * <p>Every conversion is written for a noisy sample {@code x = alpha * x0 + sigma * eps}. Variance-preserving
 * schedules (DDPM, DDIM, DPM-Solver) have alpha = sqrt(alphaCumprod), sigma = sqrt(1 - alphaCumprod);
 * variance-exploding ones (Euler, k-diffusion) have alpha = 1, sigma = sigma_k. The velocity
 * {@code v = alpha' eps - sigma' x0} (Salimans and Ho 2022, "Progressive distillation", sec. 4) is defined on the
 * normalised sample {@code x / n}, n = sqrt(alpha^2 + sigma^2), with alpha' = alpha / n and sigma' = sigma / n.
 */
public enum PredictionType {
    /** The model predicts the added noise eps (DDPM, Ho et al. 2020, eq. 11). */
    EPSILON("epsilon"),
    /** The model predicts the velocity v (Salimans and Ho 2022). */
    V_PREDICTION("v_prediction"),
    /** The model predicts the clean sample x0. */
    SAMPLE("sample");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    /** The name used in scheduler_config.json. */
    public String configName() {
        return configName;
    }

    /** Parses a scheduler_config.json prediction_type. */
    public static PredictionType parse(String name) {
        for (PredictionType p : values()) {
            if (p.configName.equals(name) || ("original_sample".equals(name) && p == SAMPLE)) {
                return p;
            }
        }
        throw new IllegalArgumentException("prediction_type '" + name + "' is not one of "
                + Arrays.stream(values()).map(PredictionType::configName).collect(Collectors.joining(", ", "[", "]")));
    }

    /**
     * The predicted original sample x0 from a model output on {@code x = alpha x0 + sigma eps}.
     *
     * <p>eps: x0 = (x - sigma eps) / alpha (DDPM eq. 15); sample: x0 = output;
     * v: x0 = (alpha / n^2) x - (sigma / n) v.
     */
    public NDArray originalSample(NDArray sample, NDArray modelOutput, double alpha, double sigma) {
        return switch (this) {
            case EPSILON -> sample.sub(modelOutput.mul((float) sigma)).div((float) alpha);
            case SAMPLE -> modelOutput.duplicate();
            case V_PREDICTION -> {
                double n2 = alpha * alpha + sigma * sigma;
                yield sample.mul((float) (alpha / n2)).sub(modelOutput.mul((float) (sigma / Math.sqrt(n2))));
            }
        };
    }

    /**
     * The predicted noise eps from a model output on {@code x = alpha x0 + sigma eps}.
     *
     * <p>eps: eps = output; sample: eps = (x - alpha x0) / sigma; v: eps = (sigma / n^2) x + (alpha / n) v.
     */
    public NDArray epsilon(NDArray sample, NDArray modelOutput, double alpha, double sigma) {
        return switch (this) {
            case EPSILON -> modelOutput.duplicate();
            case SAMPLE -> sample.sub(modelOutput.mul((float) alpha)).div((float) sigma);
            case V_PREDICTION -> {
                double n2 = alpha * alpha + sigma * sigma;
                yield modelOutput.mul((float) (alpha / Math.sqrt(n2))).add(sample.mul((float) (sigma / n2)));
            }
        };
    }
}
