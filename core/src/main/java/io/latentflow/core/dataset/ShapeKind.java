package io.latentflow.core.dataset;

import java.util.Locale;

/** The shape a shapes-grammar image shows; triangles point up with their base at the bottom. */
public enum ShapeKind {
    CIRCLE,
    SQUARE,
    TRIANGLE;

    /** The caption word: "circle". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The shape named by a caption word; IllegalArgumentException for any other word. */
    public static ShapeKind ofWord(String word) {
        for (ShapeKind kind : values()) {
            if (kind.word().equals(word)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown shape '" + word + "'");
    }
}
