package io.latentflow.core.dataset;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pixels of rendered shapes, measured on the image: colours at the corners and at the shape's centre, the bounding
 * box of the non-background pixels for size and position. Box sizes may differ from the nominal side by 1 px
 * (pixel-centre coverage of circle and triangle edges).
 */
class ShapeDrawingTest {

    static final int IMAGE_PX = 64;
    static final int MARGIN_PX = 4; // round(0.06 * 64)

    /** Inclusive bounds of the pixels that differ from the background. */
    record Box(int left, int top, int right, int bottom) {
        int width() {
            return right - left + 1;
        }

        int height() {
            return bottom - top + 1;
        }

        double centreX() {
            return (left + right) / 2.0;
        }

        double centreY() {
            return (top + bottom) / 2.0;
        }
    }

    static Box shapeBox(BufferedImage image, int backgroundRgb) {
        int left = Integer.MAX_VALUE, top = Integer.MAX_VALUE, right = -1, bottom = -1;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) != backgroundRgb) {
                    left = Math.min(left, x);
                    top = Math.min(top, y);
                    right = Math.max(right, x);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        assertTrue(right >= 0, "no shape pixels");
        return new Box(left, top, right, bottom);
    }

    static List<ShapeDrawing> generated(int count) {
        ShapesDataset shapes = new ShapesDataset(20240611L);
        List<ShapeDrawing> drawings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            drawings.add(shapes.next());
        }
        return drawings;
    }

    static void assertWithinJitter(int expectedRgb, int actualRgb, String what) {
        for (int shift = 16; shift >= 0; shift -= 8) {
            int difference = Math.abs(((expectedRgb >> shift) & 0xff) - ((actualRgb >> shift) & 0xff));
            assertTrue(difference <= ShapeDrawing.COLOUR_JITTER,
                    what + String.format(": %06x is not within jitter of %06x", actualRgb & 0xffffff, expectedRgb));
        }
    }

    @Test
    void renderingIsCrispWithOnlyTheShapeAndBackgroundColours() {
        for (ShapeDrawing drawing : generated(100)) {
            BufferedImage image = drawing.render(IMAGE_PX);
            for (int y = 0; y < IMAGE_PX; y++) {
                for (int x = 0; x < IMAGE_PX; x++) {
                    int rgb = image.getRGB(x, y) & 0xffffff;
                    assertTrue(rgb == drawing.shapeRgb() || rgb == drawing.backgroundRgb(),
                            drawing + String.format(" has a blended pixel %06x at (%d, %d)", rgb, x, y));
                }
            }
        }
    }

    @Test
    void cornersShowTheBackgroundAndTheBoxCentreTheShapeColour() {
        for (ShapeDrawing drawing : generated(200)) {
            BufferedImage image = drawing.render(IMAGE_PX);
            String caption = drawing.spec().caption();
            int last = IMAGE_PX - 1;
            for (int[] corner : new int[][] {{0, 0}, {last, 0}, {0, last}, {last, last}}) {
                assertWithinJitter(drawing.spec().background().rgb(), image.getRGB(corner[0], corner[1]),
                        caption + " corner");
            }
            Box box = shapeBox(image, drawing.backgroundRgb());
            int centre = image.getRGB((int) box.centreX(), (int) box.centreY());
            assertWithinJitter(drawing.spec().colour().rgb(), centre, caption + " centre");
        }
    }

    @Test
    void largeShapesSpanAboutSixtyPercentAndSmallOnesAboutThirty() {
        for (ShapeDrawing drawing : generated(200)) {
            Box box = shapeBox(drawing.render(IMAGE_PX), drawing.backgroundRgb());
            double fraction = drawing.spec().size() == ShapeSize.LARGE ? 0.60 : 0.30;
            // the side is rounded to whole pixels (0.5) and edge coverage may lose one more
            double min = fraction * (1 - ShapeDrawing.SIDE_JITTER) * IMAGE_PX - 1.5;
            double max = fraction * (1 + ShapeDrawing.SIDE_JITTER) * IMAGE_PX + 1.5;
            String what = drawing.spec().caption() + " box " + box;
            assertTrue(box.width() >= min && box.width() <= max, what);
            assertTrue(box.height() >= min && box.height() <= max, what);
        }
        Box large = shapeBox(ShapeDrawing.exact(spec(ShapeSize.LARGE, ShapeKind.SQUARE, Position.CENTRE))
                .render(IMAGE_PX), Colour.BLUE.rgb());
        Box small = shapeBox(ShapeDrawing.exact(spec(ShapeSize.SMALL, ShapeKind.SQUARE, Position.CENTRE))
                .render(IMAGE_PX), Colour.BLUE.rgb());
        assertEquals(38, large.width()); // round(0.6 * 64)
        assertEquals(19, small.width()); // round(0.3 * 64)
    }

    @Test
    void positionsPutTheShapeInTheirCornerAMarginFromTheEdges() {
        for (ShapeKind shape : ShapeKind.values()) {
            for (ShapeSize size : ShapeSize.values()) {
                for (Position position : Position.values()) {
                    ShapeDrawing drawing = ShapeDrawing.exact(spec(size, shape, position));
                    Box box = shapeBox(drawing.render(IMAGE_PX), Colour.BLUE.rgb());
                    double[] expected = nominalCentre(position, drawing.sidePx(IMAGE_PX));
                    String what = drawing.spec().caption() + " box " + box;
                    assertEquals(expected[0], box.centreX(), 1.0, what);
                    assertEquals(expected[1], box.centreY(), 1.0, what);
                }
            }
        }
    }

    @Test
    void jitterMovesTheShapeAtMostTwoPixels() {
        for (ShapeDrawing drawing : generated(200)) {
            Box box = shapeBox(drawing.render(IMAGE_PX), drawing.backgroundRgb());
            double[] expected = nominalCentre(drawing.spec().position(), drawing.sidePx(IMAGE_PX));
            String what = drawing.spec().caption() + " box " + box;
            // 2 px of jitter plus 1 px of edge coverage
            assertEquals(expected[0], box.centreX(), ShapeDrawing.POSITION_JITTER_PX + 1.0, what);
            assertEquals(expected[1], box.centreY(), ShapeDrawing.POSITION_JITTER_PX + 1.0, what);
        }
    }

    @Test
    void trianglesPointUpWithTheirBaseAtTheBottom() {
        ShapeDrawing drawing = ShapeDrawing.exact(spec(ShapeSize.LARGE, ShapeKind.TRIANGLE, Position.CENTRE));
        BufferedImage image = drawing.render(IMAGE_PX);
        Box box = shapeBox(image, Colour.BLUE.rgb());
        assertTrue(rowWidth(image, box.top() + 2, Colour.BLUE.rgb()) <= 4, "apex is not at the top");
        assertEquals(box.width(), rowWidth(image, box.bottom(), Colour.BLUE.rgb()), "base is not at the bottom");
    }

    private static ShapeSpec spec(ShapeSize size, ShapeKind shape, Position position) {
        return new ShapeSpec(size, Colour.YELLOW, shape, Colour.BLUE, position);
    }

    /** Box centre of an unjittered shape with side sidePx: a margin from the edges of its corner, or centred. */
    private static double[] nominalCentre(Position position, int sidePx) {
        double near = MARGIN_PX + (sidePx - 1) / 2.0;
        double far = IMAGE_PX - 1 - MARGIN_PX - (sidePx - 1) / 2.0;
        double centre = (IMAGE_PX - 1) / 2.0;
        return switch (position) {
            case CENTRE -> new double[] {centre, centre};
            case TOP_LEFT -> new double[] {near, near};
            case TOP_RIGHT -> new double[] {far, near};
            case BOTTOM_LEFT -> new double[] {near, far};
            case BOTTOM_RIGHT -> new double[] {far, far};
        };
    }

    private static int rowWidth(BufferedImage image, int y, int backgroundRgb) {
        int width = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            if ((image.getRGB(x, y) & 0xffffff) != backgroundRgb) {
                width++;
            }
        }
        return width;
    }
}
