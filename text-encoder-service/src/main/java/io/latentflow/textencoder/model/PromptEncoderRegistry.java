package io.latentflow.textencoder.model;

import io.latentflow.core.text.PromptEncoder;
import io.latentflow.textencoder.config.TextEncoderConfig;
import io.latentflow.service.model.ModelRegistry;
import io.latentflow.service.storage.ModelStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Set;

/** Loads prompt encoders (tokenizers and text encoders) on demand, one per (name, version), keeps them for the life of the service and reports them. */
@Singleton
public class PromptEncoderRegistry extends ModelRegistry<PromptEncoder> {

    /** The parts of a pipeline folder this service loads. */
    public static final Set<String> COMPONENTS = Set.of("tokenizer", "text_encoder", "tokenizer_2", "text_encoder_2");

    @Inject
    public PromptEncoderRegistry(TextEncoderConfig config, MeterRegistry meters) {
        super("prompt encoder", new ModelStore(config.models(), config.store(), COMPONENTS), config.models(), meters,
                PromptEncoder::load);
    }
}
