package io.latentflow.core.image;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads and writes PNG files through javax.imageio. */
public final class PngFiles {
    private PngFiles() {
    }

    /** Reads an image file (PNG, or any format javax.imageio knows), failing with the path when unreadable. */
    public static BufferedImage read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new IllegalArgumentException("not an image javax.imageio can read: " + file);
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file, e);
        }
    }

    /** Writes a PNG, creating parent folders. */
    public static void write(BufferedImage image, Path file) {
        write(image, file, Map.of());
    }

    /** Writes a PNG with a text chunk per entry of {@code texts} (keyword to text), creating parent folders. */
    public static void write(BufferedImage image, Path file, Map<String, String> texts) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, PngText.encode(image, texts));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write image " + file, e);
        }
    }
}
