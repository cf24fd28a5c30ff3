package io.latentflow.orchestrator.job;

/**
 * Bounds a generation request must stay within, and the model used when it names none.
 *
 * @param inputsPrefix  the key prefix init images and masks must be under (not other jobs' results)
 * @param maxPixelSteps the cost bound of one job: width x height x steps x images
 */
public record RequestLimits(int maxPromptChars, int maxWidthPx, int maxHeightPx, int maxSteps, int maxImages,
        String defaultModel, String inputsPrefix, long maxPixelSteps) {

    /** The limits of the shipped configuration. */
    public static RequestLimits defaults() {
        return new RequestLimits(2000, 2048, 2048, 1000, 8, "tiny-sd", "inputs/", 1_258_291_200L);
    }

    /** Refuses a job whose pixels x steps x images exceed the bound, before any model is called. */
    public void checkCost(long widthPx, long heightPx, int steps, int images) {
        long cost = widthPx * heightPx * steps * images;
        if (cost > maxPixelSteps) {
            throw new InvalidRequestException("steps", widthPx + "x" + heightPx + " pixels x " + steps + " steps x "
                    + images + " images is " + cost + " pixel-steps, more than the " + maxPixelSteps
                    + " a job may cost here; ask for fewer steps, images or pixels");
        }
    }
}
