package io.latentflow.core.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * The forward process of a diffusion model: betas and their cumulative products, in float32 as diffusers
 * computes them (DDPM, Ho et al. 2020, sec. 2: q(x_t | x_0) = N(sqrt(alphaCumprod_t) x_0, (1 - alphaCumprod_t) I)).
 *
 * @param betas              beta_t, t = 0..T-1
 * @param alphasCumprod      alphaCumprod_t = prod_{s <= t} (1 - beta_s)
 * @param finalAlphaCumprod  alphaCumprod "before" t = 0, used by DDIM for the last step (1 with set_alpha_to_one)
 */
public record NoiseSchedule(float[] betas, float[] alphasCumprod, float finalAlphaCumprod) {

    /** The training schedule described by a scheduler configuration. */
    public static NoiseSchedule of(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        float[] betas;
        if (config.trainedBetas() != null) {
            betas = toFloat(config.trainedBetas());
        } else {
            betas = switch (config.betaSchedule()) {
                case "linear" -> torchLinspace((float) config.betaStart(), (float) config.betaEnd(), n);
                case "scaled_linear" -> square(torchLinspace(
                        (float) Math.sqrt(config.betaStart()), (float) Math.sqrt(config.betaEnd()), n));
                case "squaredcos_cap_v2" -> cosineBetas(n, 0.999);
                case "sigmoid" -> sigmoidBetas(n, config.betaStart(), config.betaEnd());
                case "sqrt_linear" -> toFloat(TimestepSpacing.linspace(config.betaStart(), config.betaEnd(), n));
                case "sqrt" -> sqrtBetas(n, config.betaStart(), config.betaEnd());
                default -> throw new IllegalArgumentException("beta_schedule '" + config.betaSchedule()
                        + "' is not one of " + SchedulerConfig.BETA_SCHEDULES);
            };
        }
        if (config.rescaleBetasZeroSnr()) {
            betas = rescaleZeroTerminalSnr(betas);
        }
        float[] alphasCumprod = cumprodOfOneMinus(betas);
        float finalAlphaCumprod = config.setAlphaToOne() ? 1f : alphasCumprod[0];
        return new NoiseSchedule(betas, alphasCumprod, finalAlphaCumprod);
    }

    /** T, the number of training timesteps. */
    public int trainSteps() {
        return alphasCumprod.length;
    }

    /** alphaCumprod_t, or {@link #finalAlphaCumprod()} for t < 0. */
    public float alphaCumprod(int t) {
        return t >= 0 ? alphasCumprod[t] : finalAlphaCumprod;
    }

    /** A copy whose last alphaCumprod is replaced (diffusers sets 2^-24 for zero-SNR sigma schedules). */
    public NoiseSchedule withTerminalAlphaCumprod(float value) {
        float[] acp = alphasCumprod.clone();
        acp[acp.length - 1] = value;
        return new NoiseSchedule(betas, acp, finalAlphaCumprod);
    }

    /**
     * sigma_t = sqrt((1 - alphaCumprod_t) / alphaCumprod_t), the noise level of the equivalent variance-exploding
     * process x_t / sqrt(alphaCumprod_t) = x_0 + sigma_t eps (Karras et al. 2022, sec. 2), in float32.
     */
    public float[] sigmas() {
        float[] s = new float[alphasCumprod.length];
        for (int t = 0; t < s.length; t++) {
            float acp = alphasCumprod[t];
            s[t] = (float) Math.sqrt((1f - acp) / acp);
        }
        return s;
    }

    /**
     * q_sample, DDPM eq. 4: x_t = sqrt(alphaCumprod_t) x_0 + sqrt(1 - alphaCumprod_t) eps, one timestep per batch item
     * (or one for all).
     */
    public NDArray addNoise(NDArray originalSample, NDArray noise, int... timesteps) {
        NDArray a = perItem(originalSample, timesteps, t -> (float) Math.sqrt(alphasCumprod[t]));
        NDArray s = perItem(originalSample, timesteps, t -> (float) Math.sqrt(1f - alphasCumprod[t]));
        return originalSample.mul(a).add(noise.mul(s));
    }

    /** The v-prediction target v = sqrt(alphaCumprod_t) eps - sqrt(1 - alphaCumprod_t) x_0 (Salimans and Ho 2022). */
    public NDArray velocity(NDArray originalSample, NDArray noise, int... timesteps) {
        NDArray a = perItem(originalSample, timesteps, t -> (float) Math.sqrt(alphasCumprod[t]));
        NDArray s = perItem(originalSample, timesteps, t -> (float) Math.sqrt(1f - alphasCumprod[t]));
        return noise.mul(a).sub(originalSample.mul(s));
    }

    /** A (B, 1, ..., 1) array of per-item coefficients (one index for all items, or one per item) broadcasting against {@code like}. */
    public static NDArray perItem(NDArray like, int[] indices, IntToDoubleFunction coefficient) {
        long batch = like.getShape().get(0);
        float[] c = new float[(int) batch];
        for (int b = 0; b < batch; b++) {
            int index = indices.length == 1 ? indices[0] : indices[b];
            c[b] = (float) coefficient.applyAsDouble(index);
        }
        if (indices.length != 1 && indices.length != batch) {
            throw new IllegalArgumentException("expected 1 or " + batch + " timesteps, got " + indices.length);
        }
        long[] dims = new long[like.getShape().dimension()];
        Arrays.fill(dims, 1);
        dims[0] = batch;
        NDManager manager = like.getManager();
        return manager.create(c, new Shape(dims));
    }

    /**
     * torch.linspace in float32 as its CPU kernel computes it, bit for bit: step = (end - start) / (n - 1); blocks of
     * 8 values base + j * step, where base = fma(step, i, start) for blocks starting before n / 2 and
     * fma(-step, n - 1 - i, end) after; the last n mod 16 values one by one with the same two formulas.
     */
    static float[] torchLinspace(float start, float end, int n) {
        float[] out = new float[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (n - 1);
        int halfway = n / 2;
        int vectorEnd = n - n % 16;
        for (int v = 0; v < vectorEnd; v += 8) {
            float base = v < halfway ? Math.fma(step, (float) v, start) : Math.fma(-step, (float) (n - v - 1), end);
            for (int j = 0; j < 8; j++) {
                out[v + j] = base + j * step;
            }
        }
        for (int i = vectorEnd; i < n; i++) {
            out[i] = i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (n - i - 1), end);
        }
        return out;
    }

    /**
     * squaredcos_cap_v2 (Nichol and Dhariwal 2021, eq. 17): alphaBar(t) = cos^2(((t + 0.008) / 1.008) pi / 2),
     * beta_i = min(1 - alphaBar((i + 1) / T) / alphaBar(i / T), maxBeta).
     */
    static float[] cosineBetas(int n, double maxBeta) {
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), maxBeta);
        }
        return betas;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** sigmoid schedule (Jabri et al. 2022 as in diffusers): sigmoid(linspace(-6, 6)) * (end - start) + start. */
    private static float[] sigmoidBetas(int n, double start, double end) {
        float[] x = torchLinspace(-6f, 6f, n);
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            float s = (float) (1.0 / (1.0 + Math.exp(-x[i])));
            betas[i] = s * (float) (end - start) + (float) start;
        }
        return betas;
    }

    /** Latent-diffusion "sqrt" schedule: beta_t = sqrt(linspace(start, end)_t), computed in float64. */
    private static float[] sqrtBetas(int n, double start, double end) {
        double[] lin = TimestepSpacing.linspace(start, end, n);
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            betas[i] = (float) Math.sqrt(lin[i]);
        }
        return betas;
    }

    /**
     * Zero terminal SNR (Lin et al. 2023, Algorithm 1): shift and scale sqrt(alphaCumprod) so that its last value is
     * 0 and its first is unchanged, then recover betas; float32 like diffusers.
     */
    static float[] rescaleZeroTerminalSnr(float[] betas) {
        float[] acp = cumprodOfOneMinus(betas);
        int n = acp.length;
        float[] sqrtAcp = new float[n];
        for (int i = 0; i < n; i++) {
            sqrtAcp[i] = (float) Math.sqrt(acp[i]);
        }
        float first = sqrtAcp[0];
        float last = sqrtAcp[n - 1];
        float scale = first / (first - last);
        float[] alphaBar = new float[n];
        for (int i = 0; i < n; i++) {
            float shifted = (sqrtAcp[i] - last) * scale;
            alphaBar[i] = shifted * shifted;
        }
        float[] out = new float[n];
        out[0] = 1f - alphaBar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - alphaBar[i] / alphaBar[i - 1];
        }
        return out;
    }

    /** torch.cumprod(1 - betas) on CPU: float32 factors, accumulated in double, each product rounded to float32. */
    private static float[] cumprodOfOneMinus(float[] betas) {
        float[] acp = new float[betas.length];
        double running = 1.0;
        for (int i = 0; i < betas.length; i++) {
            running *= 1f - betas[i];
            acp[i] = (float) running;
        }
        return acp;
    }

    private static float[] square(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * a[i];
        }
        return out;
    }

    private static float[] toFloat(double[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) a[i];
        }
        return out;
    }
}
