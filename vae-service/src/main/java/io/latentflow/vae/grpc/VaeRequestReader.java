package io.latentflow.vae.grpc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.vae.AutoencoderKlConfig;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import io.latentflow.service.grpc.FloatTensorField;
import io.latentflow.service.grpc.InvalidFieldException;
import java.util.List;

/** Checks VAE requests against the model's configuration and decodes their tensors; problems name the field. */
final class VaeRequestReader {

    private final AutoencoderKlConfig config;
    private final NDManager manager;

    VaeRequestReader(AutoencoderKlConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
    }

    /** images (B, in_channels, H, W), H and W multiples of the downsampling factor. */
    NDArray images(boolean present, Tensor images) {
        List<Long> shape = floatShape("images", present, images);
        int f = config.scaleFactor();
        if (shape.size() != 4 || shape.get(0) < 1 || shape.get(1) != config.inChannels() || shape.get(2) < f
                || shape.get(3) < f || shape.get(2) % f != 0 || shape.get(3) % f != 0) {
            throw new InvalidFieldException("images", "expected (B, " + config.inChannels() + ", H, W) with H and W"
                    + " positive multiples of " + f + ", got shape " + shape);
        }
        return Tensors.toNDArray(images, manager);
    }

    /** Optional noise shaped like the latents of {@code images}: (B, latent_channels, H / f, W / f). */
    NDArray noise(boolean present, Tensor noise, NDArray images) {
        if (!present) {
            return null;
        }
        List<Long> shape = floatShape("noise", true, noise);
        int f = config.scaleFactor();
        List<Long> expected = List.of(images.getShape().get(0), (long) config.latentChannels(),
                images.getShape().get(2) / f, images.getShape().get(3) / f);
        if (!shape.equals(expected)) {
            throw new InvalidFieldException("noise", "expected shape " + expected + ", got " + shape);
        }
        return Tensors.toNDArray(noise, manager);
    }

    /** Scaled latents (B, latent_channels, h, w). */
    NDArray latents(boolean present, Tensor latents) {
        List<Long> shape = floatShape("latents", present, latents);
        if (shape.size() != 4 || shape.get(0) < 1 || shape.get(1) != config.latentChannels() || shape.get(2) < 1
                || shape.get(3) < 1) {
            throw new InvalidFieldException("latents", "expected (B, " + config.latentChannels() + ", h, w), got shape "
                    + shape);
        }
        return Tensors.toNDArray(latents, manager);
    }

    private static List<Long> floatShape(String field, boolean present, Tensor tensor) {
        if (!present) {
            throw new InvalidFieldException(field, "is required");
        }
        return FloatTensorField.shape(field, tensor);
    }
}
