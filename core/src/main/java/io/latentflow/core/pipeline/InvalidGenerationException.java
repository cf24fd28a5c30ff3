package io.latentflow.core.pipeline;

/**
 * A generation option out of its range, or in a combination the pipeline cannot run; names the option as the
 * request fields do (snake_case: steps, sampler, eta, karras, guidance_scale, strength, denoising_end, width, mask...),
 * so that every front end can point at its own spelling of it.
 */
public class InvalidGenerationException extends IllegalArgumentException {

    private final String field;

    public InvalidGenerationException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
    }

    /** The option at fault. */
    public String field() {
        return field;
    }

    /** Why it is refused, without the field name. */
    public String reason() {
        return getMessage().substring(field.length() + 2);
    }
}
