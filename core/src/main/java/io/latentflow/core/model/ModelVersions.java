package io.latentflow.core.model;

import java.util.Comparator;

/** How model versions ({@code models/<name>/<version>/}) are ordered when "the highest version" is asked for. */
public final class ModelVersions {

    /** Numeric versions compare as numbers and sort above non-numeric ones, which compare as text. */
    public static final Comparator<String> ORDER = (a, b) -> {
        boolean aNumeric = isNumber(a);
        boolean bNumeric = isNumber(b);
        if (aNumeric && bNumeric) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        if (aNumeric != bNumeric) {
            return aNumeric ? 1 : -1;
        }
        return a.compareTo(b);
    };

    private ModelVersions() {
    }

    private static boolean isNumber(String version) {
        return version.matches("\\d{1,18}");
    }
}
