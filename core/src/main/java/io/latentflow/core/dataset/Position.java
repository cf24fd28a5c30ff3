package io.latentflow.core.dataset;

/**
 * Where the shape sits: centred, or in a corner a margin away from both edges. A caption names corners only
 * (", top left"); a centred shape adds nothing.
 */
public enum Position {
    CENTRE("", 0, 0),
    TOP_LEFT("top left", -1, -1),
    TOP_RIGHT("top right", 1, -1),
    BOTTOM_LEFT("bottom left", -1, 1),
    BOTTOM_RIGHT("bottom right", 1, 1);

    private final String phrase;
    // -1: against the left (top) margin, 0: centred, 1: against the right (bottom) margin
    private final int horizontal;
    private final int vertical;

    Position(String phrase, int horizontal, int vertical) {
        this.phrase = phrase;
        this.horizontal = horizontal;
        this.vertical = vertical;
    }

    /** What the caption appends: "" for the centre, ", top left" for a corner. */
    public String captionSuffix() {
        return phrase.isEmpty() ? "" : ", " + phrase;
    }

    /** Left edge of a {@code sidePx} box in an {@code imagePx} image with {@code marginPx} to the edges. */
    public int leftPx(int imagePx, int sidePx, int marginPx) {
        return along(horizontal, imagePx, sidePx, marginPx);
    }

    /** Top edge of a {@code sidePx} box in an {@code imagePx} image with {@code marginPx} to the edges. */
    public int topPx(int imagePx, int sidePx, int marginPx) {
        return along(vertical, imagePx, sidePx, marginPx);
    }

    private static int along(int placement, int imagePx, int sidePx, int marginPx) {
        return switch (placement) {
            case -1 -> marginPx;
            case 1 -> imagePx - marginPx - sidePx;
            default -> (imagePx - sidePx) / 2;
        };
    }

    /** The corner named by a caption's suffix phrase ("top left"); IllegalArgumentException for any other. */
    public static Position ofPhrase(String phrase) {
        for (Position position : values()) {
            if (!position.phrase.isEmpty() && position.phrase.equals(phrase)) {
                return position;
            }
        }
        throw new IllegalArgumentException("unknown position '" + phrase + "'");
    }
}
