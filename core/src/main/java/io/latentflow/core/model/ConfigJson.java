package io.latentflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A diffusers/transformers {@code config.json} with typed getters; a key that is absent or JSON null takes the
 * given default, and a value of the wrong type is reported with the file and key.
 */
public final class ConfigJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

    /** A config parsed from {@code root}, reported as {@code file} in errors. */
    public ConfigJson(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    /** Reads a JSON object file. */
    public static ConfigJson read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(file + ": config file not found");
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new ModelLoadException(file + ": not a JSON object");
            }
            return new ConfigJson(file, root);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** The file the config came from. */
    public Path file() {
        return file;
    }

    /** The raw JSON tree. */
    public JsonNode root() {
        return root;
    }

    /** True when the key is present and not null. */
    public boolean has(String key) {
        JsonNode n = root.get(key);
        return n != null && !n.isNull();
    }

    /** Fails unless {@code _class_name} is absent or names {@code expected}. */
    public void requireClassName(String expected) {
        String className = string("_class_name", expected);
        if (!className.equals(expected)) {
            throw new ModelLoadException(file + ": _class_name " + className + " is not " + expected);
        }
    }

    /** Fails unless the per-block lists under {@code keys}, of sizes {@code sizes}, all have the same length. */
    public void requireSameLength(List<String> keys, int... sizes) {
        if (Arrays.stream(sizes).distinct().count() > 1) {
            String names = String.join(", ", keys.subList(0, keys.size() - 1)) + " and " + keys.get(keys.size() - 1);
            String lengths = Arrays.stream(sizes).mapToObj(String::valueOf).collect(Collectors.joining(", "));
            throw new ModelLoadException(file + ": " + names + " must have the same length (" + lengths + ")");
        }
    }

    /** An integer, or {@code defaultValue} when absent. */
    public int integer(String key, int defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        JsonNode n = root.get(key);
        if (!n.isNumber()) {
            throw bad(key, "an integer");
        }
        return n.asInt();
    }

    /** An integer, or null when absent. */
    public Integer optionalInteger(String key) {
        return has(key) ? integer(key, 0) : null;
    }

    /** A number, or {@code defaultValue} when absent. */
    public double number(String key, double defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        JsonNode n = root.get(key);
        if (!n.isNumber()) {
            throw bad(key, "a number");
        }
        return n.asDouble();
    }

    /** A boolean, or {@code defaultValue} when absent. */
    public boolean bool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        JsonNode n = root.get(key);
        if (!n.isBoolean()) {
            throw bad(key, "a boolean");
        }
        return n.asBoolean();
    }

    /** A string, or {@code defaultValue} when absent. */
    public String string(String key, String defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        JsonNode n = root.get(key);
        if (!n.isTextual()) {
            throw bad(key, "a string");
        }
        return n.asText();
    }

    /** A list of strings, or {@code defaultValue} when absent. */
    public List<String> strings(String key, List<String> defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : array(key)) {
            out.add(n.asText());
        }
        return Collections.unmodifiableList(out);
    }

    /** A list of integers, or {@code defaultValue} when absent. */
    public List<Integer> integers(String key, List<Integer> defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode n : array(key)) {
            if (!n.isNumber()) {
                throw bad(key, "a list of integers");
            }
            out.add(n.asInt());
        }
        return Collections.unmodifiableList(out);
    }

    /** A list of numbers, or null when absent. */
    public List<Double> numbers(String key) {
        if (!has(key)) {
            return null;
        }
        List<Double> out = new ArrayList<>();
        for (JsonNode n : array(key)) {
            out.add(n.asDouble());
        }
        return Collections.unmodifiableList(out);
    }

    /** An int applying to every block, or a list with one int per block. */
    public List<Integer> intPerBlock(String key, int blocks, int defaultValue) {
        if (!has(key)) {
            return Collections.nCopies(blocks, defaultValue);
        }
        if (root.get(key).isNumber()) {
            return Collections.nCopies(blocks, root.get(key).asInt());
        }
        List<Integer> out = integers(key, null);
        if (out.size() != blocks) {
            throw new ModelLoadException(file + ": '" + key + "' has " + out.size() + " entries but the model has "
                    + blocks + " blocks");
        }
        return out;
    }

    /** A boolean applying to every block, or a list with one boolean per block. */
    public List<Boolean> boolPerBlock(String key, int blocks, boolean defaultValue) {
        if (!has(key)) {
            return Collections.nCopies(blocks, defaultValue);
        }
        if (root.get(key).isBoolean()) {
            return Collections.nCopies(blocks, root.get(key).asBoolean());
        }
        List<Boolean> out = new ArrayList<>();
        for (JsonNode n : array(key)) {
            out.add(n.asBoolean());
        }
        if (out.size() != blocks) {
            throw new ModelLoadException(file + ": '" + key + "' has " + out.size() + " entries but the model has "
                    + blocks + " blocks");
        }
        return Collections.unmodifiableList(out);
    }

    private JsonNode array(String key) {
        JsonNode n = root.get(key);
        if (!n.isArray()) {
            throw bad(key, "a list");
        }
        return n;
    }

    private ModelLoadException bad(String key, String what) {
        return new ModelLoadException(file + ": '" + key + "' must be " + what + ", found " + root.get(key));
    }
}
