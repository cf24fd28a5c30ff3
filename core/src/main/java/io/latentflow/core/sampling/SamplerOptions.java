package io.latentflow.core.sampling;

/**
 * Per-request options of a sampler on top of its scheduler configuration.
 *
 * @param eta     DDIM: the weight of fresh noise (0 deterministic DDIM, 1 DDPM-like; Song et al. 2020, eq. 16), >= 0
 * @param karras  use Karras sigmas (euler, dpmpp-2m); null keeps the configuration's use_karras_sigmas
 */
public record SamplerOptions(double eta, Boolean karras) {
    public SamplerOptions {
        if (!(eta >= 0)) {
            throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }
    }

    /** eta 0, configuration's Karras setting. */
    public static SamplerOptions defaults() {
        return new SamplerOptions(0, null);
    }
}
