package io.latentflow.core.dataset;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a shapes image back into the grammar, deterministically and without any model: the background is the
 * median colour of a border band (its name the nearest palette colour), shape pixels are those far from it, and of them
 * the largest 4-connected region is the shape (specks and edge artefacts of a decoder are ignored); the shape colour
 * is the palette colour nearest that region's median, the class comes from how much of its bounding box it fills
 * (square ~1, circle ~pi/4, triangle ~1/2), the size from the box side and the position from the box centre.
 */
public final class ShapeAnalyser {

    /** Colour distance (Euclidean RGB) beyond which a pixel belongs to the shape: the closest palette pair, yellow
     * and orange, lies 71 apart. */
    static final double SHAPE_DISTANCE = 40;
    /** Width in pixels of the border band the background is read from. */
    static final int BORDER_BAND = 2;
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
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        // 1. background: the palette colour nearest the median of the border band
        List<Integer> border = new ArrayList<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (x < BORDER_BAND || y < BORDER_BAND || x >= w - BORDER_BAND || y >= h - BORDER_BAND) {
                    border.add(rgb[y * w + x]);
                }
            }
        }
        double[] backgroundRgb = median(border);
        Colour background = nearest(backgroundRgb);
        // 2. shape pixels: far from the background as drawn; the shape is their largest 4-connected region
        boolean[] candidate = new boolean[w * h];
        for (int i = 0; i < rgb.length; i++) {
            candidate[i] = distance(rgb[i], backgroundRgb) > SHAPE_DISTANCE;
        }
        List<Integer> region = largestRegion(candidate, w, h);
        if (region.isEmpty()) {
            return new Reading(background, null, null, null, null);
        }
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        List<Integer> colours = new ArrayList<>(region.size());
        for (int i : region) {
            int x = i % w;
            int y = i / w;
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
            colours.add(rgb[i]);
        }
        // 3. class from the fill of the bounding box, size from its side, position from its centre
        int boxW = maxX - minX + 1;
        int boxH = maxY - minY + 1;
        double fill = (double) region.size() / (boxW * boxH);
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
        return new Reading(background, nearest(median(colours)), shape, size, position);
    }

    /** The pixel indices of the largest 4-connected region of marked pixels (empty when none is marked). */
    private static List<Integer> largestRegion(boolean[] marked, int w, int h) {
        boolean[] seen = new boolean[marked.length];
        List<Integer> best = List.of();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < marked.length; start++) {
            if (!marked[start] || seen[start]) {
                continue;
            }
            List<Integer> region = new ArrayList<>();
            seen[start] = true;
            queue.add(start);
            while (!queue.isEmpty()) {
                int i = queue.poll();
                region.add(i);
                int x = i % w;
                int y = i / w;
                int[][] neighbours = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
                for (int[] n : neighbours) {
                    if (n[0] >= 0 && n[0] < w && n[1] >= 0 && n[1] < h) {
                        int j = n[1] * w + n[0];
                        if (marked[j] && !seen[j]) {
                            seen[j] = true;
                            queue.add(j);
                        }
                    }
                }
            }
            if (region.size() > best.size()) {
                best = region;
            }
        }
        return best;
    }

    /** Per-channel median of packed RGB pixels. */
    private static double[] median(List<Integer> pixels) {
        double[] out = new double[3];
        int[] values = new int[pixels.size()];
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c;
            for (int i = 0; i < values.length; i++) {
                values[i] = (pixels.get(i) >> shift) & 0xFF;
            }
            Arrays.sort(values);
            out[c] = values[values.length / 2];
        }
        return out;
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
}
