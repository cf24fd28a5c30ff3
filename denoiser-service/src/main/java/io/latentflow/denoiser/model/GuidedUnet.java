package io.latentflow.denoiser.model;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.sampling.Guidance;
import io.latentflow.core.unet.UNet2dConditionModel;

/**
 * One UNet evaluation for a Predict call: conditional only, or the unconditional and conditional halves in one batch
 * of 2B (uncond first, as diffusers' pipelines) combined by {@link Guidance#combine}.
 */
public final class GuidedUnet {

    private GuidedUnet() {
    }

    /** The model output (B, C_out, H, W), attached to the manager of {@code inputs.sample()}. */
    public static NDArray predict(UNet2dConditionModel unet, UnetInputs inputs) {
        UnetConditioning cond = inputs.cond();
        if (inputs.uncond() == null) {
            return unet.forward(inputs.sample(), inputs.timesteps(), cond.context(), cond.textEmbeds(), cond.timeIds());
        }
        long batch = inputs.sample().getShape().get(0);
        UnetConditioning both = inputs.uncond().concat(cond);
        NDArray output = unet.forward(inputs.sample().concat(inputs.sample(), 0),
                inputs.timesteps().concat(inputs.timesteps(), 0), both.context(), both.textEmbeds(), both.timeIds());
        NDArray uncondOutput = output.get("0:" + batch);
        NDArray condOutput = output.get(batch + ":");
        return Guidance.combine(uncondOutput, condOutput, inputs.guidanceScale(), inputs.guidanceRescale());
    }
}
