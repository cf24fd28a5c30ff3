package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.schedule.Schedules;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2, midpoint variant as in diffusers): a multistep
 * second-order solver of the data-prediction ODE in lambda = log(alpha / sigma).
 *
 * <p>Names: for the step from s0 = t_i to t = t_{i+1} with the previous point s1 = t_{i-1}: alphaT, sigmaT
 * (alpha_t, sigma_t with alpha^2 + sigma^2 = 1), lambda = log alpha - log sigma, h = lambda_t - lambda_s0,
 * r0 = (lambda_s0 - lambda_s1) / h, D0 = x0^_i, D1 = (x0^_i - x0^_{i-1}) / r0. The history x0^_{i-1} is local to
 * one run. First order on the first step and on the final step (lower_order_final). The order is the
 * configuration's solver_order (1 or 2).
 *
 * @param karras use Karras sigmas
 */
public record DpmSolverMultistepSampler(SchedulerConfig config, boolean karras) implements Sampler {

    @Override
    public String name() {
        return "dpmpp-2m";
    }

    @Override
    public Schedule schedule(int steps) {
        return Schedules.dpmSolver(config, steps, karras);
    }

    @Override
    public NDArray addNoise(NDArray originalSample, NDArray noise, Schedule schedule, int... indices) {
        return SigmaSamplers.addNoiseVp(originalSample, noise, schedule, indices);
    }

    @Override
    public Run start(Schedule schedule, NoiseSource noise, NDManager runManager) {
        return new Run() {
            private NDArray previousOriginal;
            private int lowerOrderNums;

            @Override
            public Step step(int index, NDArray sample, NDArray modelOutput, NDManager scope) {
                int last = schedule.timesteps().length - 1;
                boolean lowerOrderFinal = index == last
                        && ((config.lowerOrderFinal() && schedule.timesteps().length < 15)
                        || "zero".equals(config.finalSigmasType()));
                // 1. D0 = x0^ at s0 (data prediction)
                float sigmaS0 = schedule.sigma(index);
                float alphaS0 = SigmaSamplers.alphaOf(sigmaS0);
                float sigmaS0Vp = sigmaS0 * alphaS0;
                NDArray x0 = config.predictionType().originalSample(sample, modelOutput, alphaS0, sigmaS0Vp);
                if (config.thresholding()) {
                    x0 = DynamicThresholding.threshold(x0, config.dynamicThresholdingRatio(), config.sampleMaxValue());
                }
                float sigmaNext = schedule.sigma(index + 1);
                float alphaT = SigmaSamplers.alphaOf(sigmaNext);
                float sigmaT = sigmaNext * alphaT;
                float lambdaT = lambda(alphaT, sigmaT);
                float lambdaS0 = lambda(alphaS0, sigmaS0Vp);
                float h = lambdaT - lambdaS0;
                float expm = (float) Math.exp(-h) - 1f;
                NDArray prevSample;
                if (config.solverOrder() == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
                    // 2a. first order (DDIM-like): x_t = (sigma_t / sigma_s0) x - alpha_t (e^{-h} - 1) D0
                    prevSample = sample.mul(sigmaT / sigmaS0Vp).sub(x0.mul(alphaT * expm));
                } else {
                    // 2b. second order midpoint: ... - 0.5 alpha_t (e^{-h} - 1) D1
                    float sigmaS1 = schedule.sigma(index - 1);
                    float alphaS1 = SigmaSamplers.alphaOf(sigmaS1);
                    float lambdaS1 = lambda(alphaS1, sigmaS1 * alphaS1);
                    float r0 = (lambdaS0 - lambdaS1) / h;
                    NDArray d1 = x0.sub(previousOriginal).mul(1f / r0);
                    prevSample = sample.mul(sigmaT / sigmaS0Vp)
                            .sub(x0.mul(alphaT * expm))
                            .sub(d1.mul(0.5f * (alphaT * expm)));
                }
                if (lowerOrderNums < config.solverOrder()) {
                    lowerOrderNums++;
                }
                // 3. keep x0^_i for the next step, in the run's manager
                if (previousOriginal != null) {
                    previousOriginal.close();
                }
                previousOriginal = x0.duplicate();
                previousOriginal.attach(runManager);
                return new Step(prevSample, x0);
            }

            @Override
            public NDArray history() {
                return previousOriginal;
            }

            @Override
            public int historySteps() {
                return lowerOrderNums;
            }

            @Override
            public void restore(NDArray history, int historySteps) {
                previousOriginal = history.duplicate();
                previousOriginal.attach(runManager);
                lowerOrderNums = historySteps;
            }
        };
    }

    /** lambda = log(alpha) - log(sigma), half the log-SNR. */
    private static float lambda(float alpha, float sigma) {
        return (float) Math.log(alpha) - (float) Math.log(sigma);
    }
}
