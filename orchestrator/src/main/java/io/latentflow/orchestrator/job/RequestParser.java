package io.latentflow.orchestrator.job;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.proto.GenerationRequest;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a {@link GenerationRequest} from its protobuf JSON form, strictly: unknown fields are an error, so that a
 * misspelt field (say {@code "step": 50}) fails the job instead of silently running with the default.
 */
public final class RequestParser {

    /** Pseudo-field named in failures of records that are not a JSON object at all. */
    public static final String JSON_FIELD = "json";

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private RequestParser() {
    }

    /** Parses a record value; throws {@link InvalidRequestException} naming the field at fault. */
    public static GenerationRequest parse(String json) {
        return parse(json, GenerationRequest.getDefaultInstance());
    }

    /** Parses a record value into a message of {@code prototype}'s type, as strictly as {@link #parse(String)}. */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T parse(String json, T prototype) {
        String type = prototype.getDescriptorForType().getName();
        if (json == null || json.isBlank()) {
            throw new InvalidRequestException(JSON_FIELD, "empty record value, expected a " + type + " JSON object");
        }
        JsonObject object = parseObject(json);
        for (Map.Entry<String, JsonElement> member : object.entrySet()) {
            FieldDescriptor descriptor = protoField(prototype.getDescriptorForType(), member.getKey())
                    .orElseThrow(() -> new InvalidRequestException(member.getKey(),
                            "unknown field (" + type + " has no field '" + member.getKey() + "')"));
            String field = descriptor.getName();
            boolean scalar = descriptor.getJavaType() != FieldDescriptor.JavaType.MESSAGE && !descriptor.isRepeated();
            if (scalar && !member.getValue().isJsonPrimitive() && !member.getValue().isJsonNull()) {
                throw new InvalidRequestException(field, "expected a single value, got " + member.getValue());
            }
            JsonObject single = new JsonObject();
            single.add(member.getKey(), member.getValue());
            try {
                PARSER.merge(single.toString(), prototype.newBuilderForType());
            } catch (InvalidProtocolBufferException e) {
                throw new InvalidRequestException(field, "cannot be read: " + e.getMessage());
            }
        }
        Message.Builder builder = prototype.newBuilderForType();
        try {
            PARSER.merge(json, builder);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRequestException(JSON_FIELD, "not a " + type + ": " + e.getMessage());
        }
        return (T) builder.build();
    }

    /** The job id of a record that may not parse: its {@code job_id} (or {@code jobId}) member when readable. */
    public static Optional<String> jobIdOf(String json) {
        return idOf(json, "job_id", "jobId");
    }

    /** A string member of a record that may not parse, under either of its names, when readable and not empty. */
    public static Optional<String> idOf(String json, String... names) {
        try {
            JsonObject object = parseObject(json);
            for (String name : names) {
                JsonElement id = object.get(name);
                if (id != null && id.isJsonPrimitive() && id.getAsJsonPrimitive().isString()
                        && !id.getAsString().isEmpty()) {
                    return Optional.of(id.getAsString());
                }
            }
        } catch (InvalidRequestException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static JsonObject parseObject(String json) {
        JsonElement element;
        try {
            element = JsonParser.parseString(json);
        } catch (JsonParseException | IllegalStateException e) {
            throw new InvalidRequestException(JSON_FIELD, "malformed JSON: " + e.getMessage());
        }
        if (element == null || !element.isJsonObject()) {
            throw new InvalidRequestException(JSON_FIELD, "expected a JSON object, got: " + abbreviate(json));
        }
        return element.getAsJsonObject();
    }

    private static Optional<FieldDescriptor> protoField(Descriptor type, String jsonName) {
        for (FieldDescriptor field : type.getFields()) {
            if (field.getName().equals(jsonName) || field.getJsonName().equals(jsonName)) {
                return Optional.of(field);
            }
        }
        return Optional.empty();
    }

    private static String abbreviate(String text) {
        String flat = text.strip();
        return flat.length() <= 80 ? flat : flat.substring(0, 77) + "...";
    }
}
