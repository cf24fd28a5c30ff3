package io.latentflow.denoiser.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.latentflow.core.sampling.Guidance;
import io.latentflow.core.unet.UNet2dConditionModel;
import java.util.ArrayList;
import java.util.List;

/**
 * UNet evaluations for one or more Predict calls in a single forward pass: the calls' samples one after another on
 * the batch axis; with guidance, all unconditional halves first and all conditional halves after them (uncond
 * first, as diffusers' pipelines), then each call's halves combined by {@link Guidance#combine} with its own scale.
 */
public final class GuidedUnet {

    private GuidedUnet() {
    }

    /**
     * One output (B_i, C_out, H, W) per call, in order; every call must be guided, or none. The outputs are attached
     * to the manager of the first call's sample.
     */
    public static List<NDArray> predict(UNet2dConditionModel unet, List<UnetInputs> calls) {
        boolean guided = calls.get(0).uncond() != null;
        NDArray sample = concat(calls.stream().map(UnetInputs::sample).toList());
        NDArray timesteps = concat(calls.stream().map(UnetInputs::timesteps).toList());
        UnetConditioning cond = UnetConditioning.concat(calls.stream().map(UnetInputs::cond).toList());
        NDArray output;
        if (guided) {
            UnetConditioning both = UnetConditioning.concat(
                    List.of(UnetConditioning.concat(calls.stream().map(UnetInputs::uncond).toList()), cond));
            // x: (2N, C, H, W) = [x; x], context: (2N, L, D) = [uncond; cond]
            output = unet.forward(sample.concat(sample, 0), timesteps.concat(timesteps, 0), both.context(),
                    both.textEmbeds(), both.timeIds());
        } else {
            output = unet.forward(sample, timesteps, cond.context(), cond.textEmbeds(), cond.timeIds());
        }
        long total = sample.getShape().get(0);
        List<NDArray> predictions = new ArrayList<>(calls.size());
        long offset = 0;
        for (UnetInputs call : calls) {
            long size = call.sample().getShape().get(0);
            if (guided) {
                NDArray uncondOutput = output.get(offset + ":" + (offset + size));
                NDArray condOutput = output.get((total + offset) + ":" + (total + offset + size));
                predictions.add(Guidance.combine(uncondOutput, condOutput, call.guidanceScale(),
                        call.guidanceRescale()));
            } else {
                predictions.add(calls.size() == 1 ? output : output.get(offset + ":" + (offset + size)));
            }
            offset += size;
        }
        return predictions;
    }

    private static NDArray concat(List<NDArray> arrays) {
        return arrays.size() == 1 ? arrays.get(0) : NDArrays.concat(new NDList(arrays), 0);
    }
}
