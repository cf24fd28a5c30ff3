package io.latentflow.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/**
 * Where and in which precision a model runs: a DJL device and the floating-point type of its weights and
 * activations (float32 by default; float16 is meant for the UNet on a GPU).
 */
public record ModelOptions(Device device, DataType dataType) {

    public ModelOptions {
        if (device == null || dataType == null) {
            throw new IllegalArgumentException("device and dataType are required");
        }
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
            throw new IllegalArgumentException("dataType must be FLOAT32 or FLOAT16, not " + dataType);
        }
    }

    /** CPU, float32. */
    public static ModelOptions defaults() {
        return new ModelOptions(Device.cpu(), DataType.FLOAT32);
    }

    /**
     * Parses a device ("cpu", "gpu": the first GPU, refused when DJL sees none, "auto": a GPU when DJL sees one, else
     * the CPU) and a dtype ("float32" or "float16"; null or empty means float32).
     */
    public static ModelOptions of(String device, String dtype) {
        String d = device == null || device.isBlank() ? "cpu" : device.trim().toLowerCase(Locale.ROOT);
        int gpus = "cpu".equals(d) ? 0 : Engine.getEngine("PyTorch").getGpuCount();
        Device chosen;
        switch (d) {
            case "cpu":
                chosen = Device.cpu();
                break;
            case "gpu":
                if (gpus == 0) {
                    throw new IllegalArgumentException("device gpu requested but the PyTorch engine sees no GPU");
                }
                chosen = Device.gpu();
                break;
            case "auto":
                chosen = gpus > 0 ? Device.gpu() : Device.cpu();
                break;
            default:
                throw new IllegalArgumentException("device must be cpu, gpu or auto, not '" + device + "'");
        }
        String t = dtype == null || dtype.isBlank() ? "float32" : dtype.trim().toLowerCase(Locale.ROOT);
        DataType type;
        switch (t) {
            case "float32":
            case "fp32":
                type = DataType.FLOAT32;
                break;
            case "float16":
            case "fp16":
                type = DataType.FLOAT16;
                break;
            default:
                throw new IllegalArgumentException("dtype must be float32 or float16, not '" + dtype + "'");
        }
        return new ModelOptions(chosen, type);
    }
}
