package io.latentflow.core.dataset;

import java.util.Objects;

/**
 * One sentence of the shapes grammar, {@code a <size> <colour> <shape> on a|an <colour> background[, <corner>]},
 * e.g. "a large red circle on an orange background, top left"; {@link #caption} and {@link #parseCaption} are
 * inverses.
 */
public record ShapeSpec(ShapeSize size, Colour colour, ShapeKind shape, Colour background, Position position) {

    private static final String GRAMMAR = "a <size> <colour> <shape> on a|an <colour> background[, <corner>]";

    public ShapeSpec {
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(position, "position");
        new Composition(colour, shape, background); // checks the triple: non-null, colour != background
    }

    public Composition composition() {
        return new Composition(colour, shape, background);
    }

    public String caption() {
        return "a " + size.word() + " " + colour.word() + " " + shape.word() + " on " + background.article() + " "
                + background.word() + " background" + position.captionSuffix();
    }

    /**
     * The spec whose {@link #caption} is exactly {@code caption}; IllegalArgumentException quoting the caption and
     * naming the first word that does not fit the grammar otherwise.
     */
    public static ShapeSpec parseCaption(String caption) {
        try {
            return parse(caption);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("caption '" + caption + "': " + e.getMessage(), e);
        }
    }

    private static ShapeSpec parse(String caption) {
        Position position = Position.CENTRE;
        String sentence = caption;
        int comma = caption.indexOf(", ");
        if (comma >= 0) {
            position = Position.ofPhrase(caption.substring(comma + 2));
            sentence = caption.substring(0, comma);
        }
        // a <size> <colour> <shape> on <article> <colour> background
        String[] words = sentence.split(" ", -1);
        if (words.length != 8 || !words[0].equals("a") || !words[4].equals("on") || !words[7].equals("background")) {
            throw new IllegalArgumentException("not of the form '" + GRAMMAR + "'");
        }
        Colour background = Colour.ofWord(words[6]);
        if (!words[5].equals(background.article())) {
            throw new IllegalArgumentException("expected '" + background.article() + " " + background.word()
                    + "', found '" + words[5] + " " + words[6] + "'");
        }
        return new ShapeSpec(ShapeSize.ofWord(words[1]), Colour.ofWord(words[2]), ShapeKind.ofWord(words[3]),
                background, position);
    }
}
