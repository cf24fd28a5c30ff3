package io.latentflow.core.dataset;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Captions of the shapes grammar and their parsing back into specs. */
class ShapeSpecTest {

    @Test
    void captionsReadAsTheGrammarSays() {
        assertEquals("a large red circle on a blue background",
                new ShapeSpec(ShapeSize.LARGE, Colour.RED, ShapeKind.CIRCLE, Colour.BLUE, Position.CENTRE).caption());
        assertEquals("a small orange triangle on a white background",
                new ShapeSpec(ShapeSize.SMALL, Colour.ORANGE, ShapeKind.TRIANGLE, Colour.WHITE, Position.CENTRE)
                        .caption());
        assertEquals("a large red square on an orange background, bottom right",
                new ShapeSpec(ShapeSize.LARGE, Colour.RED, ShapeKind.SQUARE, Colour.ORANGE, Position.BOTTOM_RIGHT)
                        .caption());
    }

    @Test
    void everySpecOfTheGrammarParsesBackFromItsCaption() {
        int count = 0;
        for (ShapeSize size : ShapeSize.values()) {
            for (Colour colour : Colour.values()) {
                for (ShapeKind shape : ShapeKind.values()) {
                    for (Colour background : Colour.values()) {
                        for (Position position : Position.values()) {
                            if (colour == background) {
                                continue;
                            }
                            ShapeSpec spec = new ShapeSpec(size, colour, shape, background, position);
                            assertEquals(spec, ShapeSpec.parseCaption(spec.caption()), spec.caption());
                            count++;
                        }
                    }
                }
            }
        }
        assertEquals(2 * 8 * 3 * 7 * 5, count);
    }

    @Test
    void captionsOutsideTheGrammarAreRejectedNamingTheProblem() {
        assertRejected("a large pink circle on a blue background", "unknown colour 'pink'");
        assertRejected("a huge red circle on a blue background", "unknown size 'huge'");
        assertRejected("a large red oval on a blue background", "unknown shape 'oval'");
        assertRejected("a large red circle on a orange background", "expected 'an orange', found 'a orange'");
        assertRejected("a large red circle on an blue background", "expected 'a blue', found 'an blue'");
        assertRejected("a large red circle on a blue background, middle", "unknown position 'middle'");
        assertRejected("a large red circle on a blue background, ", "unknown position ''");
        assertRejected("a large red circle on a red background", "shape colour and background must differ");
        assertRejected("a large red circle on a blue  background", "not of the form");
        assertRejected("A large red circle on a blue background", "not of the form");
        assertRejected("a large red circle on a blue background.", "not of the form");
        assertRejected("", "not of the form");
    }

    @Test
    void aSpecCannotHaveTheBackgroundColourForItsShape() {
        assertThrows(IllegalArgumentException.class,
                () -> new ShapeSpec(ShapeSize.SMALL, Colour.BLUE, ShapeKind.SQUARE, Colour.BLUE, Position.CENTRE));
    }

    private static void assertRejected(String caption, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShapeSpec.parseCaption(caption));
        assertTrue(e.getMessage().startsWith("caption '" + caption + "': "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
