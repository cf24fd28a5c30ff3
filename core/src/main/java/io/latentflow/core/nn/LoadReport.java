package io.latentflow.core.nn;

import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelLoadException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What loading a model found in its checkpoint: keys used, keys missing, shapes wrong, and keys left unexpected. */
public final class LoadReport {

    private final String source;
    private final Set<String> available;
    private final Set<String> used = Collections.synchronizedSet(new LinkedHashSet<>());
    private final Map<String, Shape> missing = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> wrongShapes = Collections.synchronizedList(new ArrayList<>());

    LoadReport(String source, Set<String> available) {
        this.source = source;
        this.available = new LinkedHashSet<>(available);
    }

    void used(String key) {
        used.add(key);
    }

    void missing(String key, Shape expected) {
        missing.put(key, expected);
    }

    void wrongShape(String key, Shape actual, Shape expected) {
        wrongShapes.add("tensor '" + key + "' has shape " + actual + " but the model needs " + expected);
    }

    /** Keys the model looked up and found. */
    public Set<String> used() {
        synchronized (used) {
            return new LinkedHashSet<>(used);
        }
    }

    /** Keys the model needs that the checkpoint lacks. */
    public List<String> missing() {
        return new ArrayList<>(missing.keySet());
    }

    /** Keys the model needs that the checkpoint lacks, with the shape the model needs. */
    public Map<String, Shape> missingShapes() {
        synchronized (missing) {
            return new LinkedHashMap<>(missing);
        }
    }

    /** One line per tensor whose shape differs from what the model needs. */
    public List<String> wrongShapes() {
        return new ArrayList<>(wrongShapes);
    }

    /** Keys in the checkpoint that the model never looked up. */
    public List<String> unexpected() {
        List<String> out = new ArrayList<>();
        for (String k : available) {
            if (!used.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /** True when no key is missing and no shape is wrong. */
    public boolean complete() {
        return missing.isEmpty() && wrongShapes.isEmpty();
    }

    /** Throws a {@link ModelLoadException} naming every missing key and wrong shape. */
    public void requireComplete() {
        if (complete()) {
            return;
        }
        StringBuilder b = new StringBuilder(source).append(": checkpoint does not fit the model:");
        synchronized (missing) {
            missing.forEach((k, s) -> b.append("\n  missing tensor '").append(k).append("' of shape ").append(s));
        }
        for (String w : wrongShapes()) {
            b.append("\n  ").append(w);
        }
        List<String> extra = unexpected();
        if (!extra.isEmpty()) {
            b.append("\n  unexpected tensors: ").append(extra.size() > 20 ? extra.subList(0, 20) + " ..." : extra);
        }
        throw new ModelLoadException(b.toString());
    }
}
