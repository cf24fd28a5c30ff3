package io.latentflow.core.dataset;

import java.awt.image.BufferedImage;

/**
 * Reads a shapes image back into the grammar, deterministically and without any model: the background colour is
 * the nearest palette colour to the mean of the border, shape pixels are those far from the background, the shape
 * colour is the palette colour nearest their mean, the class comes from how much of its bounding box the shape
 * fills (square ~1, circle ~pi/4, triangle ~1/2), the size from the box side and the position from the box centre.
 */
public final class ShapeAnalyser {

    /** Colour distance (Euclidean RGB) beyond which a pixel belongs to the shape: the closest palette pair, yellow
     * and orange, lies 71 apart. */
    static final double SHAPE_DISTANCE = 40;
    /** Box side, as a fraction of the image, between small (0.30) and large (0.60). */
    static final double LARGE_FROM = 0.45;
    /** Fill ratios between the classes: triangle 0.5 | circle 0.785 | square 1. */
    static final double CIRCLE_FROM = 0.64;
    static final double SQUARE_FROM = 0.9;
    /** Box centres within this fraction of the image from its centre count as centred (a large shape in a corner
     * sits 0.13 off centre, a small one 0.28). */
    static final double CENTRE_WITHIN = 0.08;

    private ShapeAnalyser() {
    }

    /** What the image shows; {@code shape} and the rest are null when no shape pixels are found. */
    public record Reading(Colour background, Colour colour, ShapeKind shape, ShapeSize size, Position position) {

        /** Per attribute, whether it matches {@code spec}: background, colour, shape, size, position. */
        public boolean[] matches(ShapeSpec spec) {
            return new boolean[] {background == spec.background(), colour == spec.colour(), shape == spec.shape(),
                size == spec.size(), position == spec.position()};
        }
    }

    /** Reads one image. */
    public static Reading read(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        // 1. background: mean of the one-pixel border
        double[] border = new double[3];
        int borderCount = 0;
        for (int x = 0; x < w; x++) {
            for (int y : new int[] {0, h - 1}) {
                add(border, image.getRGB(x, y));
                borderCount++;
            }
        }
        for (int y = 1; y < h - 1; y++) {
            for (int x : new int[] {0, w - 1}) {
                add(border, image.getRGB(x, y));
                borderCount++;
            }
        }
        scale(border, 1.0 / borderCount);
        Colour background = nearest(border);
        // 2. shape pixels: far from the background's mean colour
        double[] shapeSum = new double[3];
        int count = 0;
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                if (distance(rgb, border) > SHAPE_DISTANCE) {
                    add(shapeSum, rgb);
                    count++;
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        if (count == 0) {
            return new Reading(background, null, null, null, null);
        }
        scale(shapeSum, 1.0 / count);
        // 3. class from the fill of the bounding box, size from its side, position from its centre
        int boxW = maxX - minX + 1;
        int boxH = maxY - minY + 1;
        double fill = (double) count / (boxW * boxH);
        ShapeKind shape = fill >= SQUARE_FROM ? ShapeKind.SQUARE : fill >= CIRCLE_FROM ? ShapeKind.CIRCLE
                : ShapeKind.TRIANGLE;
        ShapeSize size = Math.max(boxW, boxH) >= LARGE_FROM * Math.max(w, h) ? ShapeSize.LARGE : ShapeSize.SMALL;
        double dx = (minX + maxX) / 2.0 - (w - 1) / 2.0;
        double dy = (minY + maxY) / 2.0 - (h - 1) / 2.0;
        Position position;
        if (Math.abs(dx) < CENTRE_WITHIN * w && Math.abs(dy) < CENTRE_WITHIN * h) {
            position = Position.CENTRE;
        } else if (dy < 0) {
            position = dx < 0 ? Position.TOP_LEFT : Position.TOP_RIGHT;
        } else {
            position = dx < 0 ? Position.BOTTOM_LEFT : Position.BOTTOM_RIGHT;
        }
        return new Reading(background, nearest(shapeSum), shape, size, position);
    }

    private static Colour nearest(double[] rgb) {
        Colour best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Colour c : Colour.values()) {
            double d = distance(c.rgb(), rgb);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    private static double distance(int rgb, double[] to) {
        double dr = ((rgb >> 16) & 0xFF) - to[0];
        double dg = ((rgb >> 8) & 0xFF) - to[1];
        double db = (rgb & 0xFF) - to[2];
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    private static void add(double[] sum, int rgb) {
        sum[0] += (rgb >> 16) & 0xFF;
        sum[1] += (rgb >> 8) & 0xFF;
        sum[2] += rgb & 0xFF;
    }

    private static void scale(double[] v, double factor) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
    }
}
