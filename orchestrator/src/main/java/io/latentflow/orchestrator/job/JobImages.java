package io.latentflow.orchestrator.job;

import io.latentflow.orchestrator.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** The start image and mask a job names by object key, read from the bucket (core checks their sizes). */
@ApplicationScoped
public class JobImages {

    private final ObjectStore store;
    private final RequestLimits limits;

    @Inject
    JobImages(ObjectStore store, RequestLimits limits) {
        this.store = store;
        this.limits = limits;
    }

    /** The image under {@code key} (request field {@code field}), within the size limits of a job. */
    BufferedImage load(String field, String key) {
        byte[] bytes = store.get(key).orElseThrow(() -> new InvalidRequestException(field,
                "no object '" + key + "' in bucket " + store.bucket()));
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new InvalidRequestException(field, "'" + key + "' cannot be read: " + e);
        }
        if (image == null) {
            throw new InvalidRequestException(field, "'" + key + "' is not a PNG or JPEG image");
        }
        if (image.getWidth() > limits.maxWidthPx() || image.getHeight() > limits.maxHeightPx()) {
            throw new InvalidRequestException(field, "'" + key + "' is " + image.getWidth() + "x" + image.getHeight()
                    + " pixels, more than the " + limits.maxWidthPx() + "x" + limits.maxHeightPx() + " a job may have");
        }
        return image;
    }
}
