package io.latentflow.service.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.tensor.SafetensorsReader;
import java.nio.file.Path;
import java.util.Map;

/** The diffusers reference tensors of the tiny-sd pipeline cases, read from the oracle folder named by {@code latentflow.oracle}. */
public final class PipelineOracle {

    private PipelineOracle() {
    }

    /** Every tensor of {@code pipeline_sd_tiny/cases.safetensors}, attached to {@code manager}. */
    public static Map<String, NDArray> read(NDManager manager) {
        return SafetensorsReader.read(
                Path.of(System.getProperty("latentflow.oracle"), "pipeline_sd_tiny", "cases.safetensors"), manager);
    }
}
