package io.latentflow.core.train;

import java.util.Random;

/**
 * Which dataset items form each micro-batch: the epochs' seeded shuffles laid end to end, cut into batches, so that
 * micro-batch k is known from (seed, k) alone and a resumed run continues the same order.
 */
public record DataOrder(int datasetSize, int batchSize, long seed) {

    public DataOrder {
        if (datasetSize < 1) {
            throw new IllegalArgumentException("the dataset is empty");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("train_batch_size must be >= 1, got " + batchSize);
        }
    }

    /** The dataset indices of micro-batch {@code k} (0-based). */
    public int[] batch(long k) {
        int[] out = new int[batchSize];
        long start = k * batchSize;
        for (int i = 0; i < batchSize; i++) {
            long position = start + i;
            long epoch = position / datasetSize;
            out[i] = permutation(epoch)[(int) (position % datasetSize)];
        }
        return out;
    }

    /** Epoch e's shuffle (Fisher-Yates from a generator seeded by (seed, e)). */
    int[] permutation(long epoch) {
        int[] p = new int[datasetSize];
        for (int i = 0; i < datasetSize; i++) {
            p[i] = i;
        }
        Random random = new Random(seed * 31 + epoch * 0x5DEECE66DL + 17);
        for (int i = datasetSize - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
