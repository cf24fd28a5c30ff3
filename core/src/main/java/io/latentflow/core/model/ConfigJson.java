package io.latentflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A diffusers/transformers {@code config.json} with typed getters; a key that is absent or JSON null takes the
 * given default, and a value of the wrong type is reported with the file and key.
 */
public final class ConfigJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

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

    /** True when the key holds a JSON array. */
    public boolean isList(String key) {
        return has(key) && root.get(key).isArray();
    }

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

    public Integer optionalInteger(String key) {
        return has(key) ? integer(key, 0) : null;
    }

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

    public Double optionalNumber(String key) {
        return has(key) ? number(key, 0) : null;
    }

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
