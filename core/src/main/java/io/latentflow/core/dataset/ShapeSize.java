package io.latentflow.core.dataset;

import java.util.Locale;

/** How big the shape is: the side of its bounding box as a fraction of the image side (before jitter). */
public enum ShapeSize {
    SMALL(0.30),
    LARGE(0.60);

    private final double sideFraction;

    ShapeSize(double sideFraction) {
        this.sideFraction = sideFraction;
    }

    public double sideFraction() {
        return sideFraction;
    }

    /** The caption word: "small" or "large". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The size named by a caption word; IllegalArgumentException for any other word. */
    public static ShapeSize ofWord(String word) {
        for (ShapeSize size : values()) {
            if (size.word().equals(word)) {
                return size;
            }
        }
        throw new IllegalArgumentException("unknown size '" + word + "'");
    }
}
