package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;

/**
 * diffusers ResnetBlock2D: two GroupNorm-activation-3x3 conv stages with an optional time-embedding injection
 * between them and a residual path (a 1x1 {@code conv_shortcut} when the channel count changes).
 * Keys: norm1, conv1, time_emb_proj, norm2, conv2, conv_shortcut.
 */
public final class ResnetBlock2d {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final String activation;
    private final boolean scaleShift;
    private final float outputScaleFactor;

    private ResnetBlock2d(GroupNorm norm1, Conv2d conv1, Linear timeEmbProj, GroupNorm norm2, Conv2d conv2,
                          Conv2d convShortcut, String activation, boolean scaleShift, float outputScaleFactor) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.timeEmbProj = timeEmbProj;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.convShortcut = convShortcut;
        this.activation = activation;
        this.scaleShift = scaleShift;
        this.outputScaleFactor = outputScaleFactor;
    }

    /**
     * The settings a block is built with, shared by every block of a model.
     *
     * @param tembChannels      width of the time embedding, or 0 for a block without one (VAE)
     * @param scaleShift        resnet_time_scale_shift "scale_shift" (time_emb_proj gives scale and shift) instead of
     *                          "default" (time_emb_proj is added)
     * @param outputScaleFactor the residual sum is divided by it (diffusers' output_scale_factor)
     */
    public record Settings(long tembChannels, int groups, float eps, String activation, boolean scaleShift,
                           float outputScaleFactor) {

        /** A block without time embedding (the VAE's). */
        public static Settings withoutTime(int groups, float eps, String activation) {
            return new Settings(0, groups, eps, activation, false, 1f);
        }

        public Settings withOutputScale(float factor) {
            return new Settings(tembChannels, groups, eps, activation, scaleShift, factor);
        }
    }

    /** Looks up the weights of a block from {@code in} to {@code out} channels. */
    public static ResnetBlock2d load(Weights w, long in, long out, Settings s) {
        Linear temb = s.tembChannels() > 0
                ? Linear.load(w.child("time_emb_proj"), s.tembChannels(), s.scaleShift() ? 2 * out : out, true) : null;
        Conv2d shortcut = in != out ? Conv2d.load(w.child("conv_shortcut"), in, out, 1, 1, 0) : null;
        return new ResnetBlock2d(GroupNorm.load(w.child("norm1"), s.groups(), in, s.eps()),
                Conv2d.load(w.child("conv1"), in, out, 3, 1, 1), temb,
                GroupNorm.load(w.child("norm2"), s.groups(), out, s.eps()),
                Conv2d.load(w.child("conv2"), out, out, 3, 1, 1), shortcut, s.activation(), s.scaleShift(),
                s.outputScaleFactor());
    }

    /**
     * x: (B, in, H, W), activatedTemb: act(temb) (B, T) or null -> (B, out, H, W).
     * The caller applies the activation to the time embedding once for all blocks (diffusers applies it in each).
     */
    public NDArray forward(NDArray x, NDArray activatedTemb) {
        return Scope.run(() -> compute(x, activatedTemb), x, activatedTemb);
    }

    private NDArray compute(NDArray x, NDArray activatedTemb) {
        // 1. h = conv1(act(norm1(x)))
        NDArray h = conv1.forward(Activations.apply(activation, norm1.forward(x)));
        // 2. time injection: h + proj(temb)[:, :, None, None] before norm2, or norm2(h) * (1 + scale) + shift
        NDArray t = null;
        if (timeEmbProj != null && activatedTemb != null) {
            NDArray projected = timeEmbProj.forward(activatedTemb);
            t = projected.reshape(projected.getShape().get(0), projected.getShape().get(1), 1, 1);
        }
        if (t != null && !scaleShift) {
            h = norm2.forward(h.add(t));
        } else if (t != null) {
            long c = h.getShape().get(1);
            h = norm2.forward(h);
            NDArray scale = t.get(":, :" + c);
            NDArray shift = t.get(":, " + c + ":");
            h = h.mul(scale.add(1f)).add(shift);
        } else {
            h = norm2.forward(h);
        }
        // 3. h = conv2(act(h)); out = (shortcut(x) + h) / output_scale_factor
        h = conv2.forward(Activations.apply(activation, h));
        NDArray residual = convShortcut == null ? x : convShortcut.forward(x);
        NDArray out = residual.add(h);
        return outputScaleFactor == 1f ? out : Scalars.div(out, outputScaleFactor);
    }
}
