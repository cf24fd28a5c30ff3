package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Element-wise activation functions used by diffusion UNets, VAEs and CLIP, by their usual names. */
public final class Activations {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Activations() {
    }

    /** SiLU (swish with beta 1): x * sigmoid(x). */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** Exact GELU: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (Hendrycks and Gimpel 2016). */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    public static NDArray geluTanh(NDArray x) {
        NDArray inner = Scalars.mul(Scalars.mul(Scalars.pow(x, 3), 0.044715).add(x), SQRT_2_OVER_PI);
        return Scalars.mul(x.mul(inner.tanh().add(1f)), 0.5);
    }

    /** CLIP's quick GELU: x * sigmoid(1.702 x). */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(Activation.sigmoid(Scalars.mul(x, 1.702)));
    }

    /** Applies the activation named as in diffusers/transformers configs ("silu", "swish", "gelu", "gelu_tanh"...). */
    public static NDArray apply(String name, NDArray x) {
        switch (name) {
            case "silu":
            case "swish":
                return silu(x);
            case "gelu":
                return gelu(x);
            case "gelu_tanh":
            case "gelu_new":
            case "gelu_pytorch_tanh":
            case "gelu-approximate":
                return geluTanh(x);
            case "quick_gelu":
                return quickGelu(x);
            case "relu":
                return Activation.relu(x);
            case "mish":
                return Activation.mish(x);
            default:
                throw new IllegalArgumentException("unsupported activation '" + name + "'");
        }
    }
}
