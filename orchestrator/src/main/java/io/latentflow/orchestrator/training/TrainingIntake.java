package io.latentflow.orchestrator.training;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.job.RequestParser;
import io.latentflow.orchestrator.storage.ModelCatalog;
import io.latentflow.orchestrator.storage.ModelNotFoundException;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TrainingRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns a raw training record (key, JSON value) into a validated run or a rejection naming the field at fault: the
 * request is read strictly, names are checked, and every hyperparameter goes through core's
 * {@link TrainingSettings}, the one place their defaults and ranges live.
 */
@ApplicationScoped
public class TrainingIntake {

    /** Names of runs, datasets and models: one path segment. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final JsonFormat.Printer SNAKE_CASE = JsonFormat.printer().preservingProtoFieldNames();

    private final ModelCatalog catalog;
    private final io.latentflow.orchestrator.config.OrchestratorConfig config;

    @Inject
    TrainingIntake(ModelCatalog catalog, io.latentflow.orchestrator.config.OrchestratorConfig config) {
        this.catalog = catalog;
        this.config = config;
    }

    /** The outcome of reading one record. */
    public sealed interface Outcome permits Accepted, Rejected {
    }

    /** A valid run: the request with its run id and base model filled in, and its resolved settings. */
    public record Accepted(TrainingRequest request, TrainingSettings settings) implements Outcome {
    }

    /** A refused record, with the run id when one could be read. */
    public record Rejected(Optional<String> runId, String field, String reason) implements Outcome {
    }

    /** Reads and validates a record; never throws for bad input. */
    public Outcome accept(String key, String json) {
        Optional<String> runId = RequestParser.idOf(json == null ? "" : json, "run_id", "runId")
                .or(() -> Optional.ofNullable(key).filter(k -> !k.isBlank()));
        try {
            TrainingRequest parsed = RequestParser.parse(json, TrainingRequest.getDefaultInstance());
            return validate(parsed.getRunId().isEmpty() && runId.isPresent()
                    ? parsed.toBuilder().setRunId(runId.get()).build() : parsed);
        } catch (InvalidRequestException e) {
            return new Rejected(runId, e.field(), e.reason());
        }
    }

    /** Validates a request (Submit calls this before writing the record); throws naming the field. */
    public Accepted validate(TrainingRequest request) {
        TrainingRequest.Builder b = request.toBuilder();
        if (b.getRunId().isEmpty()) {
            b.setRunId(UUID.randomUUID().toString());
        }
        requireName("run_id", b.getRunId());
        if (b.getKind().isEmpty()) {
            throw new InvalidRequestException("kind", "is required: vae, unet or refiner");
        }
        if (b.getDataset().isEmpty()) {
            throw new InvalidRequestException("dataset", "is required: the name of a dataset under datasets/");
        }
        requireName("dataset", b.getDataset());
        if (b.getOutputModel().getName().isEmpty()) {
            throw new InvalidRequestException("output_model.name", "is required: the run is published as "
                    + "models/<name>/<version>/");
        }
        requireName("output_model.name", b.getOutputModel().getName());
        if (b.getOutputModel().getVersion().isEmpty()) {
            b.setOutputModel(b.getOutputModel().toBuilder().setVersion("1"));
        }
        requireName("output_model.version", b.getOutputModel().getVersion());
        String baseName = b.getBaseModel().getName().isEmpty() ? config.defaultModel() : b.getBaseModel().getName();
        requireName("base_model.name", baseName);
        ModelCatalog.ModelInfo base;
        try {
            base = catalog.resolve(baseName, b.getBaseModel().getVersion());
        } catch (ModelNotFoundException e) {
            throw new InvalidRequestException("base_model", e.getMessage());
        }
        b.setBaseModel(ModelRef.newBuilder().setName(base.name()).setVersion(base.version()));
        if (b.getOutputModel().getName().equals(base.name()) && b.getOutputModel().getVersion().equals(base.version())) {
            throw new InvalidRequestException("output_model", "must differ from the base model " + base.name() + "/"
                    + base.version());
        }
        TrainingRequest filled = b.build();
        try {
            TrainingSettings settings = TrainingSettings.parse(SNAKE_CASE.print(filled),
                    base.scheduler().numTrainTimesteps());
            if (settings.kind() != TrainingSettings.Kind.VAE && base.textTimeConditioning()) {
                throw new InvalidRequestException("base_model", "UNets with SDXL added conditioning (text_time) "
                        + "cannot be trained yet");
            }
            return new Accepted(filled, settings);
        } catch (TrainingSettings.InvalidSettingException e) {
            throw new InvalidRequestException(e.field(), e.getMessage().substring(e.field().length() + 2));
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRequestException(RequestParser.JSON_FIELD, e.getMessage());
        }
    }

    private static void requireName(String field, String value) {
        if (!NAME.matcher(value).matches()) {
            throw new InvalidRequestException(field, "'" + value + "' is not a valid name (letters, digits, '.', '_',"
                    + " '-'; at most 128 characters)");
        }
    }
}
