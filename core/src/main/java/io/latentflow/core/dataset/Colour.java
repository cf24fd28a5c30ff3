package io.latentflow.core.dataset;

import java.util.Locale;

/** A colour of the shapes grammar's palette: the word a caption uses and the RGB it is drawn in (before jitter). */
public enum Colour {
    RED(220, 40, 40),
    GREEN(40, 170, 70),
    BLUE(40, 90, 220),
    YELLOW(240, 210, 40),
    PURPLE(140, 70, 190),
    ORANGE(245, 140, 30),
    WHITE(240, 240, 240),
    BLACK(25, 25, 25);

    private final int rgb;

    Colour(int red, int green, int blue) {
        this.rgb = (red << 16) | (green << 8) | blue;
    }

    /** 0xRRGGBB, as {@link java.awt.image.BufferedImage#getRGB} returns it without alpha. */
    public int rgb() {
        return rgb;
    }

    /** The caption word: "red", "orange". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The indefinite article before the word: "an" before a vowel ("an orange background"), else "a". */
    public String article() {
        return "aeiou".indexOf(word().charAt(0)) >= 0 ? "an" : "a";
    }

    /** The colour named by a caption word; IllegalArgumentException for any other word. */
    public static Colour ofWord(String word) {
        for (Colour colour : values()) {
            if (colour.word().equals(word)) {
                return colour;
            }
        }
        throw new IllegalArgumentException("unknown colour '" + word + "'");
    }
}
