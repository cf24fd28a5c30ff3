package io.latentflow.core.dataset;

import java.util.Objects;

/** What a shapes caption says apart from size and position: the shape, its colour and the background colour. */
public record Composition(Colour colour, ShapeKind shape, Colour background) {

    public Composition {
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(background, "background");
        if (colour == background) {
            throw new IllegalArgumentException("shape colour and background must differ (both " + colour.word() + ")");
        }
    }
}
