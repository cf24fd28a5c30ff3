package io.latentflow.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.core.sampling.SamplerDisplayNames;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ModelRef;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * AUTOMATIC1111's txt2img and img2img request bodies as LatentFlow jobs. Its clients send many fields with their
 * defaults: a field LatentFlow does not implement is accepted at its default (or null) and refused with its name and
 * the reason otherwise, never ignored; an unknown field is refused.
 */
public final class A1111Requests {

    /** A1111's defaults of the fields LatentFlow reads. */
    static final int DEFAULT_STEPS = 50;
    static final double DEFAULT_CFG_SCALE = 7.0;
    static final double DEFAULT_DENOISING_STRENGTH = 0.75;

    private static final Set<String> READ = Set.of("prompt", "negative_prompt", "seed", "sampler_name",
            "sampler_index", "scheduler", "batch_size", "n_iter", "steps", "cfg_scale", "width", "height", "eta",
            "denoising_strength", "override_settings", "override_settings_restore_afterwards", "refiner_checkpoint",
            "refiner_switch_at", "send_images", "save_images", "do_not_save_samples", "do_not_save_grid",
            "init_images", "mask", "include_init_images");

    /** Fields LatentFlow does not implement, with the values that mean "off" (null always does). */
    private static final Map<String, Set<Object>> OFF_VALUES = Map.ofEntries(
            Map.entry("styles", Set.of()),
            Map.entry("subseed", Set.of(-1L, 0L)),
            Map.entry("subseed_strength", Set.of(0.0)),
            Map.entry("seed_resize_from_h", Set.of(-1L, 0L)),
            Map.entry("seed_resize_from_w", Set.of(-1L, 0L)),
            Map.entry("restore_faces", Set.of(false)),
            Map.entry("tiling", Set.of(false)),
            Map.entry("enable_hr", Set.of(false)),
            Map.entry("hr_scale", Set.of(2.0)),
            Map.entry("hr_upscaler", Set.of("")),
            Map.entry("hr_second_pass_steps", Set.of(0L)),
            Map.entry("hr_resize_x", Set.of(0L)),
            Map.entry("hr_resize_y", Set.of(0L)),
            Map.entry("hr_checkpoint_name", Set.of("")),
            Map.entry("hr_sampler_name", Set.of("")),
            Map.entry("hr_scheduler", Set.of("")),
            Map.entry("hr_prompt", Set.of("")),
            Map.entry("hr_negative_prompt", Set.of("")),
            Map.entry("firstphase_width", Set.of(0L)),
            Map.entry("firstphase_height", Set.of(0L)),
            Map.entry("firstpass_image", Set.of("")),
            Map.entry("s_min_uncond", Set.of(0.0)),
            Map.entry("s_churn", Set.of(0.0)),
            Map.entry("s_tmax", Set.of(0.0)),
            Map.entry("s_tmin", Set.of(0.0)),
            Map.entry("s_noise", Set.of(1.0)),
            Map.entry("disable_extra_networks", Set.of(false)),
            Map.entry("comments", Set.of()),
            Map.entry("script_name", Set.of("")),
            Map.entry("script_args", Set.of()),
            Map.entry("alwayson_scripts", Set.of()),
            Map.entry("force_task_id", Set.of("")),
            Map.entry("infotext", Set.of("")),
            Map.entry("resize_mode", Set.of(0L)),
            Map.entry("image_cfg_scale", Set.of()),
            Map.entry("mask_blur", Set.of(0L)),
            Map.entry("mask_blur_x", Set.of(0L, 4L)),
            Map.entry("mask_blur_y", Set.of(0L, 4L)),
            Map.entry("mask_round", Set.of(true)),
            Map.entry("inpainting_fill", Set.of(0L, 1L)),
            Map.entry("inpaint_full_res", Set.of(false, true, 0L, 1L)),
            Map.entry("inpaint_full_res_padding", Set.of(0L, 32L)),
            Map.entry("inpainting_mask_invert", Set.of(0L)),
            Map.entry("initial_noise_multiplier", Set.of(1.0)),
            Map.entry("latent_mask", Set.of("")));

    /** Why each unimplemented feature is refused. */
    private static final Map<String, String> WHY = Map.of(
            "enable_hr", "hires fix is not supported: generate at the size wanted",
            "restore_faces", "face restoration is not supported",
            "styles", "styles are not supported: put their text in the prompt",
            "mask_blur", "masks are used as sent: blur the mask before sending it and give 0 here",
            "inpainting_mask_invert", "send the mask inverted instead (white = repaint)",
            "alwayson_scripts", "scripts are not supported",
            "script_name", "scripts are not supported");

    private final SecureRandom random = new SecureRandom();

    /**
     * The job of a txt2img ({@code initImageKey} null) or img2img request.
     *
     * @param initImageKey the object key where the request's first init image was stored, or null
     * @param maskKey      the object key where its mask was stored, or null
     */
    public GenerationRequest toJob(JsonNode body, String initImageKey, String maskKey) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException("body", "a JSON object is expected");
        }
        boolean img2img = initImageKey != null;
        checkFields(body, img2img);
        GenerationRequest.Builder job = GenerationRequest.newBuilder()
                .setPrompt(text(body, "prompt"))
                .setSteps(integer(body, "steps", DEFAULT_STEPS))
                .setGuidanceScale((float) number(body, "cfg_scale", DEFAULT_CFG_SCALE))
                .setSeed(seed(body))
                .setNumImages(integer(body, "batch_size", 1) * integer(body, "n_iter", 1));
        String negative = text(body, "negative_prompt");
        if (!negative.isEmpty()) {
            job.setNegativePrompt(negative);
        }
        if (present(body, "width") || !img2img) {
            job.setWidth(integer(body, "width", 512));
        }
        if (present(body, "height") || !img2img) {
            job.setHeight(integer(body, "height", 512));
        }
        sampler(body, job);
        if (present(body, "eta")) {
            job.setEta((float) number(body, "eta", 0));
        }
        model(body, job);
        if (present(body, "refiner_checkpoint")) {
            job.setRefiner(modelRef(text(body, "refiner_checkpoint")))
                    .setDenoisingEnd((float) number(body, "refiner_switch_at", 0.8));
        }
        if (img2img) {
            job.setInitImage(initImageKey)
                    .setStrength((float) number(body, "denoising_strength", DEFAULT_DENOISING_STRENGTH));
            if (maskKey != null) {
                job.setMask(maskKey);
            }
        }
        return job.build();
    }

    /** Whether the client wants the images in the answer (send_images, default true). */
    public static boolean sendImages(JsonNode body) {
        return !present(body, "send_images") || body.get("send_images").asBoolean(true);
    }

    private static void checkFields(JsonNode body, boolean img2img) {
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (!img2img && Set.of("init_images", "mask", "include_init_images").contains(name)
                    && !value.isNull() && !(value.isArray() && value.isEmpty())) {
                throw new InvalidRequestException(name, "belongs to img2img: POST /sdapi/v1/img2img");
            }
            if (READ.contains(name) || value.isNull()) {
                continue;
            }
            Set<Object> off = OFF_VALUES.get(name);
            if (off == null) {
                throw new InvalidRequestException(name, "is not a field LatentFlow knows");
            }
            if (!isOff(value, off)) {
                throw new InvalidRequestException(name, WHY.getOrDefault(name, "is not supported; leave it at its"
                        + " default or out"));
            }
        }
        if (present(body, "include_init_images") && body.get("include_init_images").asBoolean()) {
            throw new InvalidRequestException("include_init_images", "is not supported; keep the init images you sent");
        }
    }

    private static boolean isOff(JsonNode value, Set<Object> off) {
        if ((value.isArray() || value.isObject()) && value.isEmpty()) {
            return true;
        }
        if (value.isTextual()) {
            return value.asText().isEmpty() || off.contains(value.asText());
        }
        if (value.isBoolean()) {
            return off.contains(value.asBoolean());
        }
        if (value.isIntegralNumber()) {
            return off.contains(value.asLong()) || off.contains(value.asDouble());
        }
        if (value.isNumber()) {
            return off.contains(value.asDouble()) || value.asDouble() == Math.rint(value.asDouble())
                    && off.contains((long) value.asDouble());
        }
        return false;
    }

    private long seed(JsonNode body) {
        long seed = present(body, "seed") ? checkedLong(body, "seed") : -1;
        return seed == -1 ? random.nextInt(Integer.MAX_VALUE) : seed;
    }

    private static void sampler(JsonNode body, GenerationRequest.Builder job) {
        String field = present(body, "sampler_name") ? "sampler_name" : "sampler_index";
        if (!present(body, field)) {
            return;
        }
        String name = text(body, field);
        SamplerDisplayNames.Choice choice = SamplerDisplayNames.parse(name).orElseThrow(() ->
                new InvalidRequestException(field, "'" + name + "' is not a sampler LatentFlow has; it has "
                        + SamplerDisplayNames.all().keySet()));
        job.setSampler(choice.sampler());
        boolean karras = Boolean.TRUE.equals(choice.karras());
        if (present(body, "scheduler")) {
            String scheduler = text(body, "scheduler");
            if (scheduler.equalsIgnoreCase("karras")) {
                karras = true;
            } else if (!scheduler.equalsIgnoreCase("automatic")) {
                throw new InvalidRequestException("scheduler", "'" + scheduler + "' is not supported; give"
                        + " Automatic or Karras");
            }
        }
        if (karras && choice.karras() == null) {
            throw new InvalidRequestException("scheduler", "the sampler " + name + " does not take Karras sigmas");
        }
        job.setKarras(karras);
    }

    private static void model(JsonNode body, GenerationRequest.Builder job) {
        JsonNode overrides = body.get("override_settings");
        if (overrides == null || overrides.isNull()) {
            return;
        }
        for (Iterator<String> names = overrides.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("sd_model_checkpoint")) {
                throw new InvalidRequestException("override_settings." + name, "is not supported; only"
                        + " sd_model_checkpoint is");
            }
        }
        if (overrides.has("sd_model_checkpoint")) {
            job.setModel(modelRef(overrides.get("sd_model_checkpoint").asText()));
        }
    }

    /** A model title as /sdapi/v1/sd-models lists it ("name/version"), or a bare name for its latest version. */
    static ModelRef modelRef(String title) {
        String[] parts = title.strip().split("/", 2);
        ModelRef.Builder ref = ModelRef.newBuilder().setName(parts[0]);
        if (parts.length == 2) {
            ref.setVersion(parts[1]);
        }
        return ref.build();
    }

    private static boolean present(JsonNode body, String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    private static String text(JsonNode body, String field) {
        if (!present(body, field)) {
            return "";
        }
        if (!body.get(field).isTextual()) {
            throw new InvalidRequestException(field, "a string is expected");
        }
        return body.get(field).asText();
    }

    private static int integer(JsonNode body, String field, int fallback) {
        if (!present(body, field)) {
            return fallback;
        }
        long value = checkedLong(body, field);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new InvalidRequestException(field, "out of range: " + value);
        }
        return (int) value;
    }

    private static long checkedLong(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (!value.isIntegralNumber()) {
            throw new InvalidRequestException(field, "an integer is expected, got " + value);
        }
        return value.asLong();
    }

    private static double number(JsonNode body, String field, double fallback) {
        if (!present(body, field)) {
            return fallback;
        }
        if (!body.get(field).isNumber()) {
            throw new InvalidRequestException(field, "a number is expected, got " + body.get(field));
        }
        return body.get(field).asDouble();
    }
}
