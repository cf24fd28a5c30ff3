package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;

/**
 * What a run carries from one step to the next besides the latents: a multistep sampler's history (DPM-Solver++'s
 * last data prediction and how many steps of its order it has made) and how many noise draws the generation has
 * taken so far. With the latents after a step, it resumes the run exactly, ancestral and multistep samplers included.
 *
 * @param history      the multistep history, or null for a sampler without one
 * @param historySteps steps the run had made towards its order
 * @param noiseDraws   draws taken from the generation's noise source after the step
 */
public record SamplerMemory(NDArray history, int historySteps, long noiseDraws) {
}
