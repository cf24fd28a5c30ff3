package io.latentflow.core.sampling;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link TorchCpuGenerator} against the PyTorch that DJL loads in this JVM (torch.manual_seed, then torch.normal of
 * float32 on the default CPU generator): the scalar path (n < 16) with its cached second normal, the block path with
 * its recomputed tail (n % 16 != 0), large draws, and streams that mix them. Expected bit-identical.
 */
class TorchCpuGeneratorVersusPyTorchTest {
    @Test
    void everySizeFromOneToFortyAndLargeDrawsMatchBitForBit() {
        int[] large = {255, 256, 257, 4096, 65537, 1_000_003};
        for (int n = 1; n <= 40 + large.length; n++) {
            int size = n <= 40 ? n : large[n - 41];
            long seed = 1000L + n;
            float[][] torch = torchDraws(seed, size, size);
            TorchCpuGenerator ours = new TorchCpuGenerator(seed);
            assertArrayEquals(torch[0], ours.randn(size), "first draw of " + size);
            assertArrayEquals(torch[1], ours.randn(size), "second draw of " + size);
        }
    }

    @Test
    void aStreamMixingScalarAndBlockDrawsMatchesBitForBit() {
        // 3 scalar normals leave one cached; the block draws of 20 and 16 leave it untouched; 1 then uses it
        int[] sizes = {3, 20, 1, 16, 5, 33, 7, 2};
        float[][] torch = torchDraws(11301, sizes);
        TorchCpuGenerator ours = new TorchCpuGenerator(11301);
        for (int i = 0; i < sizes.length; i++) {
            assertArrayEquals(torch[i], ours.randn(sizes[i]), "draw " + i + " of " + sizes[i]);
        }
    }

    @Test
    void negativeSeedsWrapLikeTorch() {
        float[][] torch = torchDraws(-5, 64);
        assertArrayEquals(torch[0], new TorchCpuGenerator(-5).randn(64));
        assertEquals(torch[0][0], new TorchCpuGenerator(-5L & 0xffffffffL).randn(64)[0]);
    }

    private static float[][] torchDraws(long seed, int... sizes) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) seed);
            float[][] out = new float[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                out[i] = manager.randomNormal(new Shape(sizes[i])).toFloatArray();
            }
            return out;
        }
    }
}
