package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017, eq. 1): softmax(Q K^T / sqrt(d) + mask) V, all heads
 * in one batched matrix product.
 */
public final class Attention {

    private Attention() {
    }

    /**
     * Attention of {@code heads} heads over packed projections.
     *
     * @param q       queries (B, Lq, H*D)
     * @param k       keys (B, Lk, H*D)
     * @param v       values (B, Lk, H*Dv)
     * @param heads   number of heads H
     * @param mask    additive mask broadcastable to (B, H, Lq, Lk), or null
     * @param upcast  compute scores and softmax in float32 when the inputs are half precision
     * @return (B, Lq, H*Dv)
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, int heads, NDArray mask, boolean upcast) {
        long b = q.getShape().get(0);
        long lq = q.getShape().get(1);
        long lk = k.getShape().get(1);
        long d = q.getShape().get(2) / heads;
        long dv = v.getShape().get(2) / heads;
        float scale = (float) (1.0 / Math.sqrt(d));
        DataType type = q.getDataType();
        boolean toFloat = upcast && type != DataType.FLOAT32 && type != DataType.FLOAT64;
        // q: (B, H, Lq, D), kT: (B, H, D, Lk), v: (B, H, Lk, Dv)
        NDArray qh = q.reshape(b, lq, heads, d).transpose(0, 2, 1, 3);
        NDArray kt = k.reshape(b, lk, heads, d).transpose(0, 2, 3, 1);
        NDArray vh = v.reshape(b, lk, heads, dv).transpose(0, 2, 1, 3);
        if (toFloat) {
            qh = qh.toType(DataType.FLOAT32, false);
            kt = kt.toType(DataType.FLOAT32, false);
        }
        // 1. scores = Q K^T / sqrt(D) (+ mask): (B, H, Lq, Lk)
        NDArray scores = qh.matMul(kt).mul(scale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        // 2. probabilities over keys, 3. weighted values
        NDArray probs = scores.softmax(-1);
        if (toFloat) {
            probs = probs.toType(type, false);
        }
        return probs.matMul(vh).transpose(0, 2, 1, 3).reshape(b, lq, heads * dv);
    }
}
