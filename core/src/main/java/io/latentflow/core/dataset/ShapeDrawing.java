package io.latentflow.core.dataset;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One drawing of a {@link ShapeSpec}: the spec plus the jitter that makes each drawing of it a little different
 * (position offset, side scale, exact colours). Rendering is crisp (no anti-aliasing), so every pixel is either the
 * shape colour or the background colour.
 *
 * @param dxPx          horizontal offset from the spec's position, +-{@link #POSITION_JITTER_PX}
 * @param dyPx          vertical offset, likewise
 * @param sideScale     factor on the size's side fraction, 1 +- {@link #SIDE_JITTER}
 * @param shapeRgb      0xRRGGBB of the shape
 * @param backgroundRgb 0xRRGGBB of the background
 */
public record ShapeDrawing(ShapeSpec spec, int dxPx, int dyPx, double sideScale, int shapeRgb, int backgroundRgb) {

    /** Distance of a corner-placed shape's bounding box from the image edges, as a fraction of the image side. */
    public static final double MARGIN_FRACTION = 0.06;
    public static final int POSITION_JITTER_PX = 2;
    public static final double SIDE_JITTER = 0.05;
    /** Largest change of one colour channel from its palette value. */
    public static final int COLOUR_JITTER = 8;

    public ShapeDrawing {
        Objects.requireNonNull(spec, "spec");
        if (!(sideScale > 0)) {
            throw new IllegalArgumentException("sideScale must be > 0, was " + sideScale);
        }
    }

    /** The spec drawn without jitter: palette colours, nominal size and position. */
    public static ShapeDrawing exact(ShapeSpec spec) {
        return new ShapeDrawing(spec, 0, 0, 1.0, spec.colour().rgb(), spec.background().rgb());
    }

    /** The spec with jitter drawn from {@code random} (offsets, then scale, then shape and background colours). */
    static ShapeDrawing jittered(ShapeSpec spec, SplittableRandom random) {
        int dxPx = random.nextInt(-POSITION_JITTER_PX, POSITION_JITTER_PX + 1);
        int dyPx = random.nextInt(-POSITION_JITTER_PX, POSITION_JITTER_PX + 1);
        double sideScale = 1.0 + random.nextDouble(-SIDE_JITTER, SIDE_JITTER);
        int shapeRgb = jitter(spec.colour().rgb(), random);
        int backgroundRgb = jitter(spec.background().rgb(), random);
        return new ShapeDrawing(spec, dxPx, dyPx, sideScale, shapeRgb, backgroundRgb);
    }

    /** Side of the shape's bounding box in an {@code imagePx} image (the triangle's base and height). */
    public int sidePx(int imagePx) {
        return Math.max(1, (int) Math.round(spec.size().sideFraction() * sideScale * imagePx));
    }

    /** An {@code imagePx} x {@code imagePx} RGB image of this drawing. */
    public BufferedImage render(int imagePx) {
        int sidePx = sidePx(imagePx);
        int marginPx = (int) Math.round(MARGIN_FRACTION * imagePx);
        // the jitter may push a corner shape into the margin but never out of the image
        int leftPx = clamp(spec.position().leftPx(imagePx, sidePx, marginPx) + dxPx, 0, imagePx - sidePx);
        int topPx = clamp(spec.position().topPx(imagePx, sidePx, marginPx) + dyPx, 0, imagePx - sidePx);

        BufferedImage image = new BufferedImage(imagePx, imagePx, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(new Color(backgroundRgb));
            g.fillRect(0, 0, imagePx, imagePx);
            g.setColor(new Color(shapeRgb));
            switch (spec.shape()) {
                case CIRCLE -> g.fillOval(leftPx, topPx, sidePx, sidePx);
                case SQUARE -> g.fillRect(leftPx, topPx, sidePx, sidePx);
                case TRIANGLE -> g.fill(triangle(leftPx, topPx, sidePx));
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Isosceles triangle in the box: base along the bottom edge, apex at the middle of the top edge. */
    private static Path2D triangle(int leftPx, int topPx, int sidePx) {
        Path2D.Double path = new Path2D.Double();
        path.moveTo(leftPx, topPx + sidePx);
        path.lineTo(leftPx + sidePx, topPx + sidePx);
        path.lineTo(leftPx + sidePx / 2.0, topPx);
        path.closePath();
        return path;
    }

    private static int jitter(int rgb, SplittableRandom random) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int channel = (rgb >> shift) & 0xff;
            out |= clamp(channel + random.nextInt(-COLOUR_JITTER, COLOUR_JITTER + 1), 0, 255) << shift;
        }
        return out;
    }

    private static int clamp(int value, int min, int max) {
        return Math.max(min, Math.min(max, value));
    }
}
