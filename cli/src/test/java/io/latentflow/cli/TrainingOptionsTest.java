package io.latentflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainingOptionsTest {

    @TempDir
    Path dir;

    private static TrainingRequest parse(String... args) throws Exception {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs(args);
        return train.run.toRequest();
    }

    @Test
    void everyOptionLandsInItsRequestField() throws Exception {
        TrainingRequest request = parse("--run-id", "run-7", "--kind", "unet", "--dataset", "shapes",
            "--base-model", "tiny-sd:2", "--output-model", "shapes-sd", "--train-text-encoder", "--from-scratch",
            "--learning-rate", "5e-5", "--lr-scheduler", "cosine", "--lr-warmup-steps", "10",
            "--train-batch-size", "8", "--gradient-accumulation-steps", "2", "--max-train-steps", "300",
            "--max-grad-norm", "0.5", "--use-ema", "--ema-decay", "0.999", "--snr-gamma", "5",
            "--noise-offset", "0.05", "--prediction-type", "v_prediction", "--conditioning-dropout-prob", "0.2",
            "--checkpointing-steps", "100", "--checkpoints-total-limit", "2", "--validation-prompt", "a red circle",
            "--validation-prompt", "a blue square", "--validation-steps", "25", "--seed", "1234567890123",
            "--resolution", "32", "--max-timestep", "150", "--kl-weight", "1e-5", "--disc-start", "500",
            "--disc-weight", "0.25", "--disc-loss", "vanilla", "--disc-factor", "0.75");
        assertEquals("run-7", request.getRunId());
        assertEquals("unet", request.getKind());
        assertEquals("shapes", request.getDataset());
        assertEquals(ModelRef.newBuilder().setName("tiny-sd").setVersion("2").build(), request.getBaseModel());
        assertEquals(ModelRef.newBuilder().setName("shapes-sd").build(), request.getOutputModel());
        assertTrue(request.getTrainTextEncoder());
        assertTrue(request.getFromScratch());
        assertEquals(5e-5, request.getLearningRate());
        assertEquals("cosine", request.getLrScheduler());
        assertEquals(10, request.getLrWarmupSteps());
        assertEquals(8, request.getTrainBatchSize());
        assertEquals(2, request.getGradientAccumulationSteps());
        assertEquals(300, request.getMaxTrainSteps());
        assertEquals(0.5, request.getMaxGradNorm());
        assertTrue(request.getUseEma());
        assertEquals(0.999, request.getEmaDecay());
        assertEquals(5.0, request.getSnrGamma());
        assertEquals(0.05, request.getNoiseOffset());
        assertEquals("v_prediction", request.getPredictionType());
        assertEquals(0.2, request.getConditioningDropoutProb());
        assertEquals(100, request.getCheckpointingSteps());
        assertEquals(2, request.getCheckpointsTotalLimit());
        assertEquals(List.of("a red circle", "a blue square"), request.getValidationPromptsList());
        assertEquals(25, request.getValidationSteps());
        assertEquals(1234567890123L, request.getSeed());
        assertEquals(32, request.getResolution());
        assertEquals(150, request.getMaxTimestep());
        assertEquals(1e-5, request.getKlWeight());
        assertEquals(500, request.getDiscStart());
        assertEquals(0.25, request.getDiscWeight());
        assertEquals("vanilla", request.getDiscLoss());
        assertEquals(0.75, request.getDiscFactor());
    }

    @Test
    void optionsLeftOutStayUnsetSoTheOrchestratorDefaultsApply() throws Exception {
        TrainingRequest request = parse("--kind", "vae", "--dataset", "shapes", "--output-model", "shapes-vae");
        assertEquals(36, request.getRunId().length(), "a random UUID");
        assertFalse(request.hasBaseModel());
        assertFalse(request.hasLearningRate());
        assertFalse(request.hasMaxTrainSteps());
        assertFalse(request.hasSeed());
        assertFalse(request.hasKlWeight());
        assertFalse(request.hasDiscStart());
        assertFalse(request.getUseEma());
        assertEquals("", request.getLrScheduler());
        assertEquals(0, request.getValidationPromptsCount());
        assertEquals(TrainingRequest.newBuilder().setRunId(request.getRunId()).setKind("vae").setDataset("shapes")
            .setOutputModel(ModelRef.newBuilder().setName("shapes-vae")).build(), request);
    }

    @Test
    void optionsOverrideTheConfigFileAndTheRestOfItIsKept() throws Exception {
        Path config = Files.writeString(dir.resolve("run.json"), """
            {"run_id": "from-file", "kind": "unet", "dataset": "shapes", "outputModel": {"name": "shapes-sd"},
             "use_ema": true, "learningRate": 1e-4, "max_train_steps": 200, "adam_beta2": 0.99,
             "validation_prompts": ["a circle", "a square"]}
            """);
        TrainingRequest request = parse("--config", config.toString(), "--max-train-steps", "50", "--no-use-ema",
            "--validation-prompt", "a triangle", "--output-model", "shapes-sd:3");
        assertEquals("from-file", request.getRunId());
        assertEquals("unet", request.getKind());
        assertEquals(1e-4, request.getLearningRate());
        assertEquals(0.99, request.getAdamBeta2(), "fields without an option come only from the file");
        assertEquals(50, request.getMaxTrainSteps());
        assertFalse(request.getUseEma());
        assertEquals(List.of("a triangle"), request.getValidationPromptsList());
        assertEquals("3", request.getOutputModel().getVersion());
        assertFalse(request.hasSeed());
        assertEquals("other", parse("--config", config.toString(), "--run-id", "other").getRunId());
    }

    @Test
    void misspeltConfigFieldIsAnErrorNotASilentDefault() throws Exception {
        Path config = Files.writeString(dir.resolve("run.json"), "{\"kind\": \"unet\", \"max_train_step\": 50}");
        assertThrows(InvalidProtocolBufferException.class, () -> parse("--config", config.toString()));
    }

    @Test
    void recordValueParsesBackToTheSameRequest() throws Exception {
        TrainingRequest request = parse("--run-id", "r1", "--kind", "unet", "--seed", "7", "--learning-rate", "0");
        TrainingRequest parsed = ProtoJson.merge(ProtoJson.print(request), TrainingRequest.newBuilder()).build();
        assertEquals(request, parsed);
        assertTrue(parsed.hasLearningRate(), "an explicit 0 is kept apart from unset");
    }

    @Test
    void eventLinesNameWhatHappened() {
        assertEquals("failed     learning_rate: must be > 0", TrainingEventPrinter.describe(TrainingEvent.newBuilder()
            .setType("failed").setField("learning_rate").setError("must be > 0").build()));
        assertEquals("completed  published shapes-sd:1", TrainingEventPrinter.describe(TrainingEvent.newBuilder()
            .setType("completed").setPublished(ModelRef.newBuilder().setName("shapes-sd").setVersion("1")).build()));
    }
}
