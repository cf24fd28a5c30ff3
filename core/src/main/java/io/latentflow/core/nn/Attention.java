package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017, eq. 1): softmax(Q K^T / sqrt(d) + mask) V, all heads
 * in one batched matrix product; the score matrix stays within a budget by taking samples in groups, or a long
 * query sequence in slices, cut the same way whatever the batch.
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
            // laid out in memory as they read: matmul would copy them so for a batch of several samples, but can
            // view one sample's heads in place, and MKL sums a product of strided matrices in another order
            qh = inOrder(scaled.reshape(b, lq, heads, d).transpose(0, 2, 1, 3));
            kt = inOrder(k.reshape(b, lk, heads, d).transpose(0, 2, 3, 1));
            vh = inOrder(v.reshape(b, lk, heads, dv).transpose(0, 2, 1, 3));
        }
        if (toFloat) {
            qh = qh.toType(DataType.FLOAT32, false);
            kt = kt.toType(DataType.FLOAT32, false);
        }
        // how a sample is cut depends on its own size only, never on the batch it came in (the denoiser batches
        // several jobs' calls): whole samples in groups that fit the budget, or one sample at a time in query slices
        long perSample = heads * lq * lk;
        int axis = heads == 1 ? 1 : 2;
        NDList parts = new NDList();
        if (perSample <= maxScoreElements) {
            long group = Math.max(1, maxScoreElements / perSample);
            for (long start = 0; start < b; start += group) {
                parts.add(weightedValues(samples(qh, start, Math.min(b, start + group), b), kt, vh, mask, start,
                        Math.min(b, start + group), b, toFloat, type));
            }
        } else {
            long slice = Math.max(1, maxScoreElements / (heads * lk));
            for (long i = 0; i < b; i++) {
                NDList slices = new NDList();
                for (long start = 0; start < lq; start += slice) {
                    String range = start + ":" + Math.min(lq, start + slice);
                    NDArray qs = samples(qh, i, i + 1, b).get(heads == 1 ? ":, " + range : ":, :, " + range);
                    NDArray ms = mask == null || mask.getShape().get(mask.getShape().dimension() - 2) == 1
                            ? mask : mask.get("..., " + range + ", :");
                    slices.add(weightedValues(qs, kt, vh, ms, i, i + 1, b, toFloat, type));
                }
                parts.add(slices.size() == 1 ? slices.singletonOrThrow() : NDArrays.concat(slices, axis));
            }
        }
        NDArray out = parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts, 0);
        return heads == 1 ? out : out.transpose(0, 2, 1, 3).reshape(b, lq, heads * dv);
    }

    /** The array copied into row-major order (a transposed view flattens only as a copy). */
    private static NDArray inOrder(NDArray x) {
        return x.flatten().reshape(x.getShape());
    }

    /** Samples [from, to) of a (B, ...) array; the array itself when that is all of it, or when B is 1. */
    private static NDArray samples(NDArray x, long from, long to, long b) {
        return from == 0 && to == b || x.getShape().get(0) == 1 ? x : x.get(from + ":" + to);
    }

    /** softmax(q kT + mask) v for samples [from, to) of the batch; keys, values and mask are cut to them. */
    private static NDArray weightedValues(NDArray q, NDArray kt, NDArray v, NDArray mask, long from, long to,
                                          long b, boolean toFloat, DataType type) {
        return weightedValues(q, samples(kt, from, to, b), samples(v, from, to, b),
                mask == null || mask.getShape().dimension() < 4 ? mask : samples(mask, from, to, b), toFloat, type);
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
