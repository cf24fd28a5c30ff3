package io.latentflow.core.dataset;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The analyser reads every attribute of drawn shapes back, jitter included, for seen and held-out triples. */
class ShapeAnalyserTest {

    @Test
    void readsBackEveryAttributeOfAThousandJitteredDrawings() {
        ShapesDataset shapes = new ShapesDataset(7);
        for (int i = 0; i < 1000; i++) {
            ShapeDrawing drawing = shapes.next();
            ShapeAnalyser.Reading reading = ShapeAnalyser.read(drawing.render(64));
            assertArrayEquals(new boolean[] {true, true, true, true, true}, reading.matches(drawing.spec()),
                    () -> drawing.spec().caption() + " read as " + reading);
        }
    }

    @Test
    void readsTheHeldOutTriplesToo() {
        for (Composition c : ShapesDataset.HELD_OUT) {
            for (ShapeSize size : ShapeSize.values()) {
                for (Position position : Position.values()) {
                    ShapeSpec spec = new ShapeSpec(size, c.colour(), c.shape(), c.background(), position);
                    ShapeAnalyser.Reading reading = ShapeAnalyser.read(ShapeDrawing.exact(spec).render(64));
                    assertArrayEquals(new boolean[] {true, true, true, true, true}, reading.matches(spec),
                            () -> spec.caption() + " read as " + reading);
                }
            }
        }
    }

    @Test
    void ignoresSpecksAndAnEdgeArtefactOfADecoder() {
        ShapeSpec spec = new ShapeSpec(ShapeSize.SMALL, Colour.RED, ShapeKind.TRIANGLE, Colour.WHITE,
                Position.BOTTOM_RIGHT);
        BufferedImage image = ShapeDrawing.exact(spec).render(64);
        for (int x = 0; x < 64; x++) {
            image.setRGB(x, 0, 0x808080);
        }
        image.setRGB(5, 10, 0x000000);
        image.setRGB(30, 20, 0x2050ff);
        image.setRGB(31, 20, 0x2050ff);
        ShapeAnalyser.Reading reading = ShapeAnalyser.read(image);
        assertArrayEquals(new boolean[] {true, true, true, true, true}, reading.matches(spec),
                () -> spec.caption() + " read as " + reading);
    }

    @Test
    void aPlainImageHasABackgroundAndNoShape() {
        BufferedImage plain = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        ShapeAnalyser.Reading reading = ShapeAnalyser.read(plain);
        assertNull(reading.shape());
        assertArrayEquals(new boolean[] {true}, new boolean[] {reading.background() == Colour.BLACK});
    }
}
