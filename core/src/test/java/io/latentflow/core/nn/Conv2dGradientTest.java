package io.latentflow.core.nn;

import ai.djl.ndarray.NDManager;
import io.latentflow.core.train.TrainingStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradients of a convolution through libtorch, checked with the identity of a linear map: for
 * L(x, W) = sum(conv(x, W) * G), sum(x * dL/dx) = L = sum(W * dL/dW). The cases include every kind that oneDNN's
 * AVX-512 kernels get wrong (input channels of 8 mod 16, stride 2 with 16 mod 32, output channels short of a block
 * of 16), and the layers of the shipped models (4 -> 48, 48 -> 48 stride 2, 144 -> 48, 3 -> 32, 64 -> 8).
 */
class Conv2dGradientTest {

    @ParameterizedTest
    @CsvSource({"3, 16, 1", "4, 64, 1", "8, 16, 1", "16, 16, 1", "3, 32, 2", "20, 8, 1", "16, 24, 1", "48, 40, 1",
        "96, 56, 1", "16, 48, 2", "48, 48, 2", "32, 80, 2", "96, 112, 2", "48, 4, 1", "48, 144, 1", "32, 3, 1",
        "8, 64, 1", "96, 96, 2"})
    void inputAndWeightGradientsSatisfyTheLinearIdentity(int out, int in, int stride) {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingStep.recordNothingOutsideSteps();
            double error = ConvolutionGradients.identityError(m, in, out, stride);
            assertTrue(error < 1e-5, in + " -> " + out + " stride " + stride + ": relative error " + error);
        }
    }

    @Test
    void theCheckBeforeTrainingPassesWithTheKernelsTheProjectSelects() {
        assertDoesNotThrow(ConvolutionGradients::requireExact);
    }
}
