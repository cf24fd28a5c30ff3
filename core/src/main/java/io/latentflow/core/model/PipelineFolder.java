package io.latentflow.core.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A diffusers pipeline folder: {@code model_index.json} names the pipeline class and, per component, its library and
 * class ({@code "unet": ["diffusers", "UNet2DConditionModel"]}); each component lives in the subfolder of its name.
 */
public final class PipelineFolder {

    private final Path dir;
    private final String pipelineClass;
    private final Map<String, String> classes;

    private PipelineFolder(Path dir, String pipelineClass, Map<String, String> classes) {
        this.dir = dir;
        this.pipelineClass = pipelineClass;
        this.classes = classes;
    }

    /** Reads {@code dir/model_index.json}. */
    public static PipelineFolder open(Path dir) {
        Path index = dir.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            throw new ModelLoadException(dir + ": not a pipeline folder (model_index.json not found)");
        }
        ConfigJson json = ConfigJson.read(index);
        Map<String, String> classes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.root().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().startsWith("_") || !v.isArray() || v.size() != 2) {
                continue;
            }
            if (v.get(0).isNull() || v.get(1).isNull()) {
                continue;
            }
            classes.put(e.getKey(), v.get(1).asText());
        }
        return new PipelineFolder(dir, json.string("_class_name", ""), Collections.unmodifiableMap(classes));
    }

    /** The pipeline folder. */
    public Path dir() {
        return dir;
    }

    /** The pipeline class named by model_index.json, e.g. StableDiffusionPipeline. */
    public String pipelineClass() {
        return pipelineClass;
    }

    /** True when model_index.json lists the component (with a non-null class) and its folder exists. */
    public boolean has(String name) {
        return classes.containsKey(name) && Files.isDirectory(dir.resolve(name));
    }

    /** The folder of a component, or a {@link ModelLoadException} naming the missing component. */
    public Path component(String name) {
        if (!classes.containsKey(name)) {
            throw new ModelLoadException(dir + ": model_index.json has no component '" + name + "' (has "
                    + classes.keySet() + ")");
        }
        Path p = dir.resolve(name);
        if (!Files.isDirectory(p)) {
            throw new ModelLoadException(dir + ": component '" + name + "' is listed in model_index.json but folder "
                    + p + " is missing");
        }
        return p;
    }

    /** The class name of a component (e.g. "UNet2DConditionModel"), or a {@link ModelLoadException}. */
    public String className(String name) {
        String c = classes.get(name);
        if (c == null) {
            throw new ModelLoadException(dir + ": model_index.json has no component '" + name + "'");
        }
        return c;
    }
}
