package io.latentflow.core.dataset;

import io.latentflow.core.image.PngFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static io.latentflow.core.dataset.Colour.BLACK;
import static io.latentflow.core.dataset.Colour.BLUE;
import static io.latentflow.core.dataset.Colour.GREEN;
import static io.latentflow.core.dataset.Colour.ORANGE;
import static io.latentflow.core.dataset.Colour.PURPLE;
import static io.latentflow.core.dataset.Colour.RED;
import static io.latentflow.core.dataset.Colour.WHITE;
import static io.latentflow.core.dataset.Colour.YELLOW;
import static io.latentflow.core.dataset.ShapeKind.CIRCLE;
import static io.latentflow.core.dataset.ShapeKind.SQUARE;
import static io.latentflow.core.dataset.ShapeKind.TRIANGLE;

/**
 * The project's own training set: one coloured shape on a plain background per image, captioned in the shapes
 * grammar ({@link ShapeSpec}), drawn with jitter ({@link ShapeDrawing}), never one of the {@link #HELD_OUT}
 * compositions. A seed fixes the whole sequence.
 */
public final class ShapesDataset {

    public static final int DEFAULT_SIZE_PX = 64;
    /** Smallest image side at which a small shape is still a recognisable shape (a few pixels across). */
    public static final int MIN_SIZE_PX = 16;

    /** (colour, shape, background) triples that generated data never contains, for testing generalisation. */
    public static final List<Composition> HELD_OUT = List.of(
            new Composition(RED, CIRCLE, GREEN),
            new Composition(GREEN, SQUARE, BLUE),
            new Composition(BLUE, TRIANGLE, YELLOW),
            new Composition(YELLOW, CIRCLE, PURPLE),
            new Composition(PURPLE, SQUARE, ORANGE),
            new Composition(ORANGE, TRIANGLE, WHITE),
            new Composition(WHITE, CIRCLE, BLACK),
            new Composition(BLACK, SQUARE, RED),
            new Composition(RED, TRIANGLE, WHITE),
            new Composition(GREEN, CIRCLE, BLACK),
            new Composition(BLUE, SQUARE, ORANGE),
            new Composition(YELLOW, TRIANGLE, BLUE),
            new Composition(PURPLE, CIRCLE, YELLOW),
            new Composition(ORANGE, SQUARE, GREEN),
            new Composition(WHITE, TRIANGLE, PURPLE),
            new Composition(BLACK, CIRCLE, ORANGE),
            new Composition(RED, SQUARE, YELLOW),
            new Composition(GREEN, TRIANGLE, PURPLE),
            new Composition(BLUE, CIRCLE, WHITE),
            new Composition(YELLOW, SQUARE, BLACK));

    private static final ShapeSize[] SIZES = ShapeSize.values();
    private static final Colour[] COLOURS = Colour.values();
    private static final ShapeKind[] SHAPES = ShapeKind.values();
    private static final Position[] POSITIONS = Position.values();

    private final SplittableRandom random;

    /** A generator whose sequence of drawings depends only on {@code seed}. */
    public ShapesDataset(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The next drawing: every size, composition outside {@link #HELD_OUT} and position equally likely. */
    public ShapeDrawing next() {
        ShapeSpec spec;
        do {
            ShapeSize size = SIZES[random.nextInt(SIZES.length)];
            Colour colour = COLOURS[random.nextInt(COLOURS.length)];
            ShapeKind shape = SHAPES[random.nextInt(SHAPES.length)];
            // any colour but the shape's: draw from the other seven
            Colour background = COLOURS[(colour.ordinal() + 1 + random.nextInt(COLOURS.length - 1)) % COLOURS.length];
            Position position = POSITIONS[random.nextInt(POSITIONS.length)];
            spec = new ShapeSpec(size, colour, shape, background, position);
        } while (HELD_OUT.contains(spec.composition()));
        return ShapeDrawing.jittered(spec, random);
    }

    /**
     * Writes {@code count} drawings of {@code sizePx} x {@code sizePx} as {@code dir/images/00000.png ...}, then
     * {@code dir/metadata.jsonl} (last, so a complete metadata file means a complete folder). The same arguments
     * give byte-identical files.
     */
    public static Dataset write(Path dir, int count, int sizePx, long seed) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        if (sizePx < MIN_SIZE_PX) {
            throw new IllegalArgumentException("size must be >= " + MIN_SIZE_PX + " px, was " + sizePx);
        }
        // at least five digits, more when the count needs them, so that names sort in order
        String nameFormat = "images/%0" + Math.max(5, Integer.toString(count - 1).length()) + "d.png";
        ShapesDataset shapes = new ShapesDataset(seed);
        List<Dataset.Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ShapeDrawing drawing = shapes.next();
            String fileName = String.format(Locale.ROOT, nameFormat, i);
            PngFiles.write(drawing.render(sizePx), dir.resolve(fileName));
            entries.add(new Dataset.Entry(fileName, drawing.spec().caption()));
        }
        Dataset dataset = new Dataset(dir, entries);
        dataset.writeMetadata();
        return dataset;
    }
}
