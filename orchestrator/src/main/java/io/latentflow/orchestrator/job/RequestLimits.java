package io.latentflow.orchestrator.job;

/** Bounds a generation request must stay within, and the model used when it names none. */
public record RequestLimits(
        int maxPromptChars, int maxWidthPx, int maxHeightPx, int maxSteps, int maxImages, String defaultModel) {

    /** The limits of the shipped configuration. */
    public static RequestLimits defaults() {
        return new RequestLimits(2000, 2048, 2048, 1000, 8, "tiny-sd");
    }
}
