package io.latentflow.service.storage;

import java.util.regex.Pattern;

/** A model version as stored under {@code models/<name>/<version>/}. */
public record ModelId(String name, String version) {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public ModelId {
        requireSegment("model name", name);
        requireSegment("model version", version);
    }

    /** Rejects names that are empty or could leave the model directory. */
    static void requireSegment(String what, String value) {
        if (value == null || !SEGMENT.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException(what + " '" + value + "' must match " + SEGMENT.pattern());
        }
    }

    @Override
    public String toString() {
        return name + "/" + version;
    }
}
