package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017, eq. 1): softmax(Q K^T / sqrt(d) + mask) V, all heads
 * in one batched matrix product; long query sequences are processed in slices so the score matrix stays bounded.
 */
public final class Attention {

    /** Largest score matrix (elements) computed at once; longer query sequences are sliced (~256 MB in float32). */
    static final long MAX_SCORE_ELEMENTS = 1L << 26;

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
        return scaledDotProduct(q, k, v, heads, mask, upcast, MAX_SCORE_ELEMENTS);
    }

    /**
     * softmax(scale * Q K^T + mask) V with an explicit scale; 1 means the queries already carry 1/sqrt(D) (folded
     * into the query projection's weights), which saves one elementwise pass.
     */
    public static NDArray withScale(NDArray q, NDArray k, NDArray v, int heads, NDArray mask, boolean upcast,
                                    float scale) {
        return withScale(q, k, v, heads, mask, upcast, scale, MAX_SCORE_ELEMENTS);
    }

    /** As {@link #scaledDotProduct}, slicing the queries so that at most {@code maxScoreElements} scores exist at once. */
    static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, int heads, NDArray mask, boolean upcast,
                                    long maxScoreElements) {
        float scale = (float) (1.0 / Math.sqrt(q.getShape().get(2) / heads));
        return withScale(q, k, v, heads, mask, upcast, scale, maxScoreElements);
    }

    private static NDArray withScale(NDArray q, NDArray k, NDArray v, int heads, NDArray mask, boolean upcast,
                                     float scale, long maxScoreElements) {
        long b = q.getShape().get(0);
        long lq = q.getShape().get(1);
        long lk = k.getShape().get(1);
        long d = q.getShape().get(2) / heads;
        long dv = v.getShape().get(2) / heads;
        DataType type = q.getDataType();
        boolean toFloat = upcast && type != DataType.FLOAT32 && type != DataType.FLOAT64;
        // q: (B, H, Lq, D) scaled by 1/sqrt(D), kT: (B, H, D, Lk), v: (B, H, Lk, Dv); one head needs no reshaping
        NDArray qh;
        NDArray kt;
        NDArray vh;
        NDArray scaled = scale == 1f ? q : Scalars.mul(q, scale);
        if (heads == 1) {
            qh = scaled;
            kt = k.transpose(0, 2, 1);
            vh = v;
        } else {
            qh = scaled.reshape(b, lq, heads, d).transpose(0, 2, 1, 3);
            kt = k.reshape(b, lk, heads, d).transpose(0, 2, 3, 1);
            vh = v.reshape(b, lk, heads, dv).transpose(0, 2, 1, 3);
        }
        if (toFloat) {
            qh = qh.toType(DataType.FLOAT32, false);
            kt = kt.toType(DataType.FLOAT32, false);
        }
        long slice = Math.max(1, maxScoreElements / Math.max(1, b * heads * lk));
        NDArray out;
        if (slice >= lq) {
            out = weightedValues(qh, kt, vh, mask, toFloat, type);
        } else {
            int axis = heads == 1 ? 1 : 2;
            NDList parts = new NDList();
            for (long start = 0; start < lq; start += slice) {
                long end = Math.min(lq, start + slice);
                String range = start + ":" + end;
                NDArray qs = qh.get(heads == 1 ? ":, " + range : ":, :, " + range);
                NDArray ms = mask == null || mask.getShape().get(mask.getShape().dimension() - 2) == 1 ? mask
                        : mask.get("..., " + range + ", :");
                parts.add(weightedValues(qs, kt, vh, ms, toFloat, type));
            }
            out = NDArrays.concat(parts, axis);
        }
        return heads == 1 ? out : out.transpose(0, 2, 1, 3).reshape(b, lq, heads * dv);
    }

    /** softmax(q kT + mask) v for already scaled queries. */
    private static NDArray weightedValues(NDArray q, NDArray kt, NDArray v, NDArray mask, boolean toFloat,
                                          DataType type) {
        // 1. scores (..., Lq, Lk), 2. probabilities over keys, 3. weighted values (..., Lq, Dv)
        NDArray scores = q.matMul(kt);
        if (FlopCounter.active()) {
            // Q K^T and P V: 2 * scores * (D + Dv)
            FlopCounter.add(2 * scores.size() * (q.getShape().get(q.getShape().dimension() - 1)
                    + v.getShape().get(v.getShape().dimension() - 1)));
        }
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray probs = scores.softmax(-1);
        if (toFloat) {
            probs = probs.toType(type, false);
        }
        return probs.matMul(v);
    }
}
