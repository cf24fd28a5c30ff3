package io.latentflow.core.image;

import java.util.StringJoiner;

/**
 * How an image was made, as the text AUTOMATIC1111 writes into its PNGs' {@code parameters} chunk, so that tools that
 * read PNG info (the web UIs' "PNG info" tabs, image viewers) show it:
 * <pre>
 * a prompt
 * Negative prompt: a negative prompt
 * Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: shapes
 * </pre>
 *
 * @param negativePrompt "" when none (the line is then left out)
 * @param sampler        the sampler's display name ("Euler a", "DPM++ 2M Karras")
 * @param model          the model's name (and version, as name/version)
 */
public record ImageParameters(String prompt, String negativePrompt, int steps, String sampler, double cfgScale,
        long seed, int width, int height, String model) {

    /** The {@code parameters} text. */
    public String toText() {
        StringBuilder text = new StringBuilder(prompt);
        if (!negativePrompt.isEmpty()) {
            text.append("\nNegative prompt: ").append(negativePrompt);
        }
        StringJoiner settings = new StringJoiner(", ");
        settings.add("Steps: " + steps);
        settings.add("Sampler: " + sampler);
        settings.add("CFG scale: " + (float) cfgScale);
        settings.add("Seed: " + seed);
        settings.add("Size: " + width + "x" + height);
        settings.add("Model: " + model);
        return text.append('\n').append(settings).toString();
    }
}
