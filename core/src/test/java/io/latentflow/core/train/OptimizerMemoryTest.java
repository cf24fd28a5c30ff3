package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Optimizer and EMA steps free what they compute: a long run keeps the same arrays at every step. */
class OptimizerMemoryTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void stepsLeaveNoArrayBehind(boolean decoupled) {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingStep.recordNothingOutsideSteps();
            Map<String, NDArray> source = new LinkedHashMap<>();
            source.put("a.weight", m.randomNormal(new Shape(8, 4)));
            source.put("a.bias", m.randomNormal(new Shape(8)));
            TrainableParameters parameters = TrainableParameters.copyOf(source, m);
            AdamW adam = new AdamW(parameters, new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2, decoupled));
            Ema ema = new Ema(parameters, 0.99);
            int[] counts = new int[4];
            for (int step = 0; step < counts.length; step++) {
                parameters.zeroGradients();
                try (TrainingStep s = TrainingStep.open(parameters)) {
                    s.backward(parameters.get("a.weight").square().sum().add(parameters.get("a.bias").sum()));
                }
                adam.step(1e-3);
                ema.update();
                counts[step] = parameters.manager().getManagedArrays().size();
            }
            assertEquals(counts[0], counts[counts.length - 1], "arrays kept after each step: "
                    + java.util.Arrays.toString(counts));
        }
    }
}
