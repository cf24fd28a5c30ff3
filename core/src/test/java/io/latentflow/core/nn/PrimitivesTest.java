package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelLoadException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrimitivesTest {

    private static final float TOL = 1e-5f;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    @Test
    void linearComputesXWTransposePlusBias() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("proj.weight", manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)));
        t.put("proj.bias", manager.create(new float[] {0.5f, -1}));
        Weights w = Weights.of(t, "test", manager);
        Linear linear = Linear.load(w.child("proj"), 3, 2, true);
        NDArray y = linear.forward(manager.create(new float[] {1, 0, -1, 2, 1, 0}, new Shape(1, 2, 3)));
        assertArrayEquals(new float[] {-1.5f, -3, 4.5f, 12}, y.toFloatArray(), TOL);
        assertTrue(w.report().complete());
        assertTrue(w.report().unexpected().isEmpty());
    }

    @Test
    void conv2dWithPaddingSumsNeighbourhood() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("weight", manager.ones(new Shape(1, 1, 3, 3)));
        t.put("bias", manager.create(new float[] {1}));
        Conv2d conv = Conv2d.load(Weights.of(t, "test", manager), 1, 1, 3, 1, 1);
        NDArray x = manager.arange(1f, 10f).reshape(1, 1, 3, 3);
        // corner (0,0): 1+2+4+5 = 12, centre: 45
        float[] y = conv.forward(x).toFloatArray();
        assertEquals(13f, y[0], TOL);
        assertEquals(46f, y[4], TOL);
        Conv2d strided = new Conv2d(conv.weight(), conv.bias(), 2, 1);
        assertEquals(new Shape(1, 1, 2, 2), strided.forward(x).getShape());
    }

    @Test
    void groupNormMatchesDefinition() {
        int b = 2;
        int c = 6;
        int h = 3;
        int wd = 2;
        int groups = 3;
        float[] xs = random(b * c * h * wd, 1);
        float[] gamma = random(c, 2);
        float[] beta = random(c, 3);
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("norm.weight", manager.create(gamma));
        t.put("norm.bias", manager.create(beta));
        GroupNorm norm = GroupNorm.load(Weights.of(t, "test", manager).child("norm"), groups, c, 1e-6f);
        float[] y = norm.forward(manager.create(xs, new Shape(b, c, h, wd))).toFloatArray();
        int groupSize = c / groups * h * wd;
        for (int n = 0; n < b; n++) {
            for (int g = 0; g < groups; g++) {
                int start = (n * groups + g) * groupSize;
                double mean = 0;
                for (int i = 0; i < groupSize; i++) {
                    mean += xs[start + i];
                }
                mean /= groupSize;
                double var = 0;
                for (int i = 0; i < groupSize; i++) {
                    var += (xs[start + i] - mean) * (xs[start + i] - mean);
                }
                var /= groupSize;
                for (int i = 0; i < groupSize; i++) {
                    int channel = (start + i) / (h * wd) % c;
                    double expected = (xs[start + i] - mean) / Math.sqrt(var + 1e-6) * gamma[channel] + beta[channel];
                    assertEquals(expected, y[start + i], 1e-5);
                }
            }
        }
    }

    @Test
    void layerNormNormalizesLastAxis() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("weight", manager.create(new float[] {1, 2}));
        t.put("bias", manager.create(new float[] {0, 1}));
        LayerNorm norm = LayerNorm.load(Weights.of(t, "test", manager), 2, 0f);
        float[] y = norm.forward(manager.create(new float[] {3, 5}, new Shape(1, 2))).toFloatArray();
        assertArrayEquals(new float[] {-1, 3}, y, TOL);
    }

    @Test
    void activationsMatchFormulas() {
        float[] xs = {-3f, -1f, -0.25f, 0f, 0.5f, 2f, 4f};
        NDArray x = manager.create(xs);
        float[] silu = Activations.silu(x).toFloatArray();
        float[] gelu = Activations.gelu(x).toFloatArray();
        float[] geluTanh = Activations.geluTanh(x).toFloatArray();
        float[] quick = Activations.quickGelu(x).toFloatArray();
        float[] erf = x.div((float) Math.sqrt(2)).erf().toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            assertEquals(v / (1 + Math.exp(-v)), silu[i], 1e-6);
            assertEquals(0.5 * v * (1 + erf[i]), gelu[i], 1e-6);
            assertEquals(0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))),
                    geluTanh[i], 1e-6);
            assertEquals(v / (1 + Math.exp(-1.702 * v)), quick[i], 1e-6);
        }
        // exact and tanh GELU differ visibly near x = -3
        assertTrue(Math.abs(gelu[0] - geluTanh[0]) > 1e-5);
    }

    @Test
    void attentionMatchesPerHeadLoops() {
        int b = 2;
        int lq = 3;
        int lk = 4;
        int heads = 2;
        int d = 3;
        float[] q = random(b * lq * heads * d, 11);
        float[] k = random(b * lk * heads * d, 12);
        float[] v = random(b * lk * heads * d, 13);
        NDArray out = Attention.scaledDotProduct(manager.create(q, new Shape(b, lq, heads * d)),
                manager.create(k, new Shape(b, lk, heads * d)), manager.create(v, new Shape(b, lk, heads * d)),
                heads, null, false);
        assertEquals(new Shape(b, lq, heads * d), out.getShape());
        float[] y = out.toFloatArray();
        for (int n = 0; n < b; n++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < lq; i++) {
                    double[] p = new double[lk];
                    double sum = 0;
                    for (int j = 0; j < lk; j++) {
                        double s = 0;
                        for (int e = 0; e < d; e++) {
                            s += q[((n * lq + i) * heads + h) * d + e] * k[((n * lk + j) * heads + h) * d + e];
                        }
                        p[j] = Math.exp(s / Math.sqrt(d));
                        sum += p[j];
                    }
                    for (int e = 0; e < d; e++) {
                        double o = 0;
                        for (int j = 0; j < lk; j++) {
                            o += p[j] / sum * v[((n * lk + j) * heads + h) * d + e];
                        }
                        assertEquals(o, y[((n * lq + i) * heads + h) * d + e], 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void slicedAttentionOverLongQueriesEqualsUnsliced() {
        int heads = 2;
        int lq = 53;
        long budget = heads * 4 * 10;
        NDArray q = manager.randomNormal(new Shape(1, lq, 4));
        NDArray k = manager.randomNormal(new Shape(1, 4, 4));
        NDArray v = manager.randomNormal(new Shape(1, 4, 4));
        NDArray sliced = Attention.scaledDotProduct(q, k, v, heads, null, false, budget);
        NDArray whole = q.reshape(1, lq, heads, 2).transpose(0, 2, 1, 3).mul((float) (1 / Math.sqrt(2)))
                .matMul(k.reshape(1, 4, heads, 2).transpose(0, 2, 3, 1)).softmax(-1)
                .matMul(v.reshape(1, 4, heads, 2).transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3).reshape(1, lq, 4);
        assertEquals(0f, sliced.sub(whole).abs().max().getFloat(), 1e-6f);
        NDArray single = Attention.scaledDotProduct(q, k, v, 1, null, false, budget);
        NDArray singleWhole = q.mul(0.5f).matMul(k.transpose(0, 2, 1)).softmax(-1).matMul(v);
        assertEquals(0f, single.sub(singleWhole).abs().max().getFloat(), 1e-6f);
    }

    @Test
    void aSampleGetsTheSameAttentionBitForBitAloneAndInABatchWhateverTheBudget() {
        NDArray q = manager.randomNormal(new Shape(5, 53, 4));
        NDArray k = manager.randomNormal(new Shape(5, 7, 4));
        NDArray v = manager.randomNormal(new Shape(5, 7, 4));
        for (long budget : new long[] {2 * 53 * 7 * 5, 2 * 53 * 7 * 2, 2 * 7 * 10, 1L << 26}) {
            NDArray batch = Attention.scaledDotProduct(q, k, v, 2, null, false, budget);
            for (int i = 0; i < 5; i++) {
                String sample = i + ":" + (i + 1);
                NDArray alone = Attention.scaledDotProduct(q.get(sample), k.get(sample), v.get(sample), 2, null,
                        false, budget);
                assertEquals(0f, alone.sub(batch.get(sample)).abs().max().getFloat(), "budget " + budget);
            }
        }
    }

    @Test
    void attentionMaskExcludesKeys() {
        NDArray q = manager.create(random(4, 1), new Shape(1, 1, 4));
        NDArray k = manager.create(random(8, 2), new Shape(1, 2, 4));
        NDArray v = manager.create(new float[] {1, 1, 1, 1, 9, 9, 9, 9}, new Shape(1, 2, 4));
        NDArray mask = manager.create(new float[] {0, Float.NEGATIVE_INFINITY}, new Shape(1, 1, 1, 2));
        assertArrayEquals(new float[] {1, 1, 1, 1}, Attention.scaledDotProduct(q, k, v, 2, mask, false).toFloatArray(),
                TOL);
    }

    @Test
    void flopCounterCountsMultiplyAddsOfMatrixWork() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("lin.weight", manager.ones(new Shape(2, 3)));
        t.put("conv.weight", manager.ones(new Shape(1, 1, 3, 3)));
        t.put("conv.bias", manager.zeros(new Shape(1)));
        Weights w = Weights.of(t, "test", manager);
        Linear linear = Linear.load(w.child("lin"), 3, 2, false);
        Conv2d conv = Conv2d.load(w.child("conv"), 1, 1, 3, 1, 1);
        // linear: 2 rows x 2 outputs x 3 inputs; conv: 9 outputs x 9 taps; attention: 2 x (1x2 scores) x (2 + 2)
        FlopCounter.Counted<NDArray> counted = FlopCounter.measure(() -> {
            linear.forward(manager.ones(new Shape(2, 3)));
            conv.forward(manager.ones(new Shape(1, 1, 3, 3)));
            NDArray x = manager.ones(new Shape(1, 2, 2));
            return Attention.scaledDotProduct(x.get(":, :1"), x, x, 1, null, false);
        });
        assertEquals(2 * 2 * 2 * 3 + 2 * 9 * 9 + 2 * 2 * 4, counted.flops());
        assertEquals(new Shape(1, 1, 2), counted.value().getShape());
    }

    @Test
    void nearestUpsamplingRepeatsPixels() {
        NDArray x = manager.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                Resample.nearest2x(x).toFloatArray());
    }

    @Test
    void reportNamesMissingUnexpectedAndMisshapenKeys() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("a.weight", manager.zeros(new Shape(2, 3)));
        t.put("a.bias", manager.zeros(new Shape(3)));
        t.put("stray", manager.zeros(new Shape(1)));
        Weights w = Weights.of(t, "unet/model.safetensors", manager);
        Linear.load(w.child("a"), 3, 2, true);
        assertNull(w.child("b").optional("weight", 1));
        assertFalse(w.report().complete());
        assertEquals(List.of("stray"), w.report().unexpected());
        assertEquals(1, w.report().wrongShapes().size());
        w.child("c").get("weight", 4);
        assertEquals(List.of("c.weight"), w.report().missing());
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> w.report().requireComplete());
        assertTrue(e.getMessage().contains("missing tensor 'c.weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("'a.bias' has shape (3) but the model needs (2)"), e.getMessage());
        assertTrue(e.getMessage().contains("stray") && e.getMessage().contains("unet/model.safetensors"));
    }
}
