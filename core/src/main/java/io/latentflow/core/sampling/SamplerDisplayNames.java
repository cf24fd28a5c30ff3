package io.latentflow.core.sampling;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The samplers under the names AUTOMATIC1111's web UI gives them ("Euler a", "DPM++ 2M Karras"), both ways: these
 * names are what its API clients send and what PNG info readers show.
 */
public final class SamplerDisplayNames {

    private static final Map<String, String> DISPLAY = new LinkedHashMap<>();

    static {
        DISPLAY.put("euler-a", "Euler a");
        DISPLAY.put("euler", "Euler");
        DISPLAY.put("dpmpp-2m", "DPM++ 2M");
        DISPLAY.put("ddim", "DDIM");
        DISPLAY.put("ddpm", "DDPM");
    }

    /** The samplers that take Karras sigmas, shown with a " Karras" suffix then. */
    private static final Set<String> KARRAS_CAPABLE = Set.of("euler", "dpmpp-2m");

    private static final String KARRAS = " Karras";

    /** A sampler and whether it uses Karras sigmas (null: as the model's scheduler configuration says). */
    public record Choice(String sampler, Boolean karras) {
    }

    private SamplerDisplayNames() {
    }

    /** The display name of {@code sampler} (one of {@link Samplers#NAMES}), with " Karras" when it uses them. */
    public static String of(String sampler, boolean karras) {
        String name = DISPLAY.get(sampler);
        if (name == null) {
            throw new IllegalArgumentException("sampler '" + sampler + "' is not one of " + Samplers.NAMES);
        }
        return karras && KARRAS_CAPABLE.contains(sampler) ? name + KARRAS : name;
    }

    /** Every display name accepted by {@link #parse}, Karras variants included, in the web UI's order. */
    public static Map<String, Choice> all() {
        Map<String, Choice> names = new LinkedHashMap<>();
        DISPLAY.forEach((sampler, name) -> {
            names.put(name, new Choice(sampler, KARRAS_CAPABLE.contains(sampler) ? false : null));
            if (KARRAS_CAPABLE.contains(sampler)) {
                names.put(name + KARRAS, new Choice(sampler, true));
            }
        });
        return names;
    }

    /** The sampler a display name stands for (case-insensitive), or empty when none of ours does. */
    public static Optional<Choice> parse(String displayName) {
        return all().entrySet().stream()
                .filter(entry -> entry.getKey().equalsIgnoreCase(displayName.strip()))
                .map(Map.Entry::getValue)
                .findFirst();
    }
}
