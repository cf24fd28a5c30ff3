package io.latentflow.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.latentflow.core.train.TrainingStep;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gradients of a convolution through libtorch, checked with the identity of a linear map: for
 * L(x, W) = sum(conv(x, W) * G), sum(x * dL/dx) = L = sum(W * dL/dW). Output channel counts that do not fill
 * oneDNN's blocks of 16 (a VAE's conv_out has 3, a UNet's 4) are where its backward pass goes wrong.
 */
class Conv2dGradientTest {

    @ParameterizedTest
    @CsvSource({"3, 16, 1", "4, 64, 1", "8, 16, 1", "16, 16, 1", "3, 32, 2", "20, 8, 1"})
    void inputAndWeightGradientsSatisfyTheLinearIdentity(int out, int in, int stride) {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingStep.recordNothingOutsideSteps();
            m.getEngine().setRandomSeed(3);
            NDArray w = m.randomNormal(new Shape(out, in, 3, 3));
            NDArray x = m.randomNormal(new Shape(2, in, 16, 16));
            NDArray g = m.randomNormal(new Shape(2, out, 16 / stride, 16 / stride));
            w.setRequiresGradient(true);
            x.setRequiresGradient(true);
            float loss;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray l = new Conv2d(w, null, stride, 1).forward(x).mul(g).sum();
                loss = l.getFloat();
                collector.backward(l);
            }
            float viaInput = x.mul(x.getGradient()).sum().getFloat();
            float viaWeight = w.mul(w.getGradient()).sum().getFloat();
            float tolerance = 1e-4f * (1 + Math.abs(loss));
            assertEquals(loss, viaInput, tolerance, "sum(x * dL/dx)");
            assertEquals(loss, viaWeight, tolerance, "sum(W * dL/dW)");
        }
    }
}
