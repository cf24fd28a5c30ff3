package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.sampling.Denoiser;
import io.latentflow.core.sampling.Guidance;
import io.latentflow.core.unet.UNet2dConditionModel;

/**
 * The in-process {@link Denoiser}: a UNet with its text conditioning bound and, when guidance is on, the
 * unconditional and conditional predictions made in one UNet batch and combined by {@link Guidance#combine}.
 *
 * <p>Shapes (B images): hiddenStates (2B or B, L, D) with the unconditional half first; textEmbeds (2B or B, P) and
 * timeIds (2B or B, 5|6) for SDXL, else null; extraChannels (2B or B, 5, h, w) for 9-channel inpainting UNets
 * (mask, masked-image latents), else null.
 */
public final class UNetDenoiser implements Denoiser {
    private final UNet2dConditionModel unet;
    private final NDArray hiddenStates;
    private final NDArray textEmbeds;
    private final NDArray timeIds;
    private final NDArray extraChannels;
    private final boolean guided;
    private final float guidanceScale;
    private final float guidanceRescale;

    /**
     * @param guided whether the conditioning arrays hold [unconditional; conditional] halves to combine
     */
    public UNetDenoiser(UNet2dConditionModel unet, NDArray hiddenStates, NDArray textEmbeds, NDArray timeIds,
                        NDArray extraChannels, boolean guided, float guidanceScale, float guidanceRescale) {
        this.unet = unet;
        this.hiddenStates = hiddenStates;
        this.textEmbeds = textEmbeds;
        this.timeIds = timeIds;
        this.extraChannels = extraChannels;
        this.guided = guided;
        this.guidanceScale = guidanceScale;
        this.guidanceRescale = guidanceRescale;
    }

    @Override
    public NDArray predict(NDArray latents, float timestep) {
        NDManager owner = latents.getManager();
        try (NDManager scope = owner.newSubManager()) {
            scope.tempAttachAll(latents);
            // 1. UNet input: [x; x] for guidance, then the inpainting channels: (2B, C + 5, h, w)
            NDArray input = guided ? latents.concat(latents, 0) : latents.duplicate();
            if (extraChannels != null) {
                input = input.concat(extraChannels, 1);
            }
            NDArray t = scope.create(new float[] {timestep}, new Shape(1));
            NDArray output = unet.forward(input, t, hiddenStates, textEmbeds, timeIds);
            NDArray result;
            if (guided) {
                // 2. eps_u + s (eps_c - eps_u), rescaled
                long b = latents.getShape().get(0);
                result = Guidance.combine(output.get("0:" + b), output.get(b + ":"), guidanceScale, guidanceRescale);
            } else {
                result = output;
            }
            result.attach(owner);
            return result;
        }
    }
}
