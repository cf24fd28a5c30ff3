package io.latentflow.orchestrator.job;

import io.latentflow.orchestrator.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** The start image and mask a job names by object key, read from the bucket and checked against the job's size. */
@ApplicationScoped
public class JobImages {

    private final ObjectStore store;

    @Inject
    JobImages(ObjectStore store) {
        this.store = store;
    }

    /** The image under {@code key} (request field {@code field}), which must have the job's size. */
    BufferedImage load(JobSpec spec, String field, String key) {
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
        if (image.getWidth() != spec.widthPx() || image.getHeight() != spec.heightPx()) {
            throw new InvalidRequestException(field, "'" + key + "' is " + image.getWidth() + "x"
                    + image.getHeight() + " pixels but the job asks for " + spec.widthPx() + "x" + spec.heightPx()
                    + "; give width and height matching the image");
        }
        return image;
    }
}
