package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.DatasetImages;
import io.latentflow.core.dataset.ShapesDataset;
import io.latentflow.core.model.ComponentWeights;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.text.ClipTextConfig;
import io.latentflow.core.text.ClipTokenizer;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.core.vae.AutoencoderKl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training runs of the shipped tiny model on CPU: the loss falls, checkpoints resume exactly, outputs load. */
class TrainingRunTest {

    private static final Path MODEL = Path.of("..", "models", "tiny-sd", "1");

    @TempDir
    Path tmp;

    @Test
    void unetRunWithJointTextEncoderLowersTheLossAndItsOutputLoads() {
        List<Double> losses = new ArrayList<>();
        List<Long> checkpoints = new ArrayList<>();
        List<Long> samples = new ArrayList<>();
        String output = unetRun("""
                {"kind": "unet", "train_text_encoder": true, "max_train_steps": 40, "learning_rate": 0.002,
                 "train_batch_size": 4, "checkpointing_steps": 20, "validation_prompts": ["a red circle"],
                 "conditioning_dropout_prob": 0.0, "use_ema": true, "ema_decay": 0.99, "seed": 3}""",
                tmp.resolve("joint"), recorder(losses, checkpoints, samples, null), Cancellation.NONE);
        double first = mean(losses.subList(0, 8));
        double last = mean(losses.subList(32, 40));
        System.out.printf("unet+text encoder loss: first 8 steps %.4f, last 8 steps %.4f%n", first, last);
        assertTrue(last < 0.8 * first, "loss did not fall: " + first + " -> " + last);
        assertEquals(List.of(20L, 40L), checkpoints);
        assertEquals(List.of(20L, 40L), samples);
        Path out = Path.of(output);
        try (UNet2dConditionModel unet = UNet2dConditionModel.load(out.resolve("unet"), ModelOptions.defaults())) {
            assertTrue(unet.loadReport().unexpected().isEmpty());
        }
        assertTrue(Files.isRegularFile(out.resolve("text_encoder").resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(tmp.resolve("joint").resolve("store/checkpoints/20/optimizer.unet.safetensors")));
        assertTrue(Files.isRegularFile(tmp.resolve("joint").resolve("store/checkpoints/40/unet_ema/config.json")));
    }

    @Test
    void aRunResumedFromItsCheckpointEndsWithTheWeightsOfAnUninterruptedRun() {
        String json = """
                {"kind": "refiner", "max_train_steps": 6, "learning_rate": 0.001, "train_batch_size": 2,
                 "checkpointing_steps": 3, "noise_offset": 0.05, "snr_gamma": 5, "use_ema": true, "seed": 11,
                 "validation_prompts": ["a red circle"], "validation_steps": 2}""";
        String straight = unetRun(json, tmp.resolve("straight"), recorder(new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), null), Cancellation.NONE);
        // the interrupted run stops after step 4 (its last checkpoint is step 3), then a new run resumes
        long[] stopAt = {4};
        List<Double> resumedLosses = new ArrayList<>();
        assertThrows(CancellationException.class, () -> unetRun(json, tmp.resolve("cut"),
                recorder(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), stopAt), () -> stopAt[0] < 0));
        String resumed = unetRun(json, tmp.resolve("cut"), recorder(resumedLosses, new ArrayList<>(),
                new ArrayList<>(), null), Cancellation.NONE);
        assertEquals(3, resumedLosses.size(), "steps 4..6 run again after the resume");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = ComponentWeights.read(ComponentWeights.locate(Path.of(straight, "unet")), m,
                    DataType.FLOAT32);
            Map<String, NDArray> b = ComponentWeights.read(ComponentWeights.locate(Path.of(resumed, "unet")), m,
                    DataType.FLOAT32);
            assertEquals(a.keySet(), b.keySet());
            double worst = 0;
            for (String key : a.keySet()) {
                worst = Math.max(worst, a.get(key).sub(b.get(key)).abs().max().getFloat());
            }
            System.out.printf("resumed vs uninterrupted: max abs weight difference %.3g%n", worst);
            assertTrue(worst <= 1e-6, "resumed run differs by " + worst);
        }
    }

    @Test
    void vaeRunOnShapesLowersTheReconstructionLossWithTheDiscriminatorOn() throws Exception {
        Path data = tmp.resolve("shapes");
        Dataset dataset = ShapesDataset.write(data, 8, 64, 5);
        List<Double> losses = new ArrayList<>();
        List<Long> checkpoints = new ArrayList<>();
        List<Long> samples = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        TrainingSettings settings = TrainingSettings.parse("""
                {"kind": "vae", "max_train_steps": 30, "learning_rate": 0.001, "train_batch_size": 4,
                 "checkpointing_steps": 15, "disc_start": 26, "disc_num_layers": 2, "disc_ndf": 8, "seed": 2}""",
                1000);
        String output;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray images = DatasetImages.load(dataset, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, m);
            Path vaeDir = MODEL.resolve("vae");
            TrainingListener listener = new TrainingListener() {
                @Override
                public void progress(long step, long total, Map<String, Double> l, double lr, double sps) {
                    losses.add(l.get("rec_loss"));
                    if (step > 26) {
                        assertTrue(Double.isFinite(l.get("d_loss")), "the discriminator trains after disc_start");
                    }
                }

                @Override
                public void checkpoint(long step, String location) {
                    checkpoints.add(step);
                }

                @Override
                public void sample(long step, NDArray images, boolean isImages) {
                    assertTrue(isImages);
                    assertEquals(new Shape(4, 3, 64, 64), images.getShape());
                    samples.add(step);
                }

                @Override
                public void note(String message) {
                    notes.add(message);
                }
            };
            output = new VaeTrainingRun(settings, vaeDir.resolve("config.json"),
                    ComponentWeights.read(ComponentWeights.locate(vaeDir), m, DataType.FLOAT32), images,
                    new LocalCheckpointStore(tmp.resolve("vae-store")), listener, tmp.resolve("vae-work"))
                    .run(Cancellation.NONE);
        }
        // the reconstruction term is judged before the adversarial one joins at step 27
        double first = mean(losses.subList(0, 5));
        double last = mean(losses.subList(21, 26));
        System.out.printf("vae rec_loss: steps 1-5 %.4f, steps 22-26 %.4f%n", first, last);
        assertTrue(last < 0.88 * first, "rec_loss did not fall: " + first + " -> " + last);
        assertEquals(List.of(15L, 30L), checkpoints);
        assertEquals(List.of(15L, 30L), samples);
        assertTrue(notes.stream().anyMatch(n -> n.contains("perceptual (LPIPS) loss off")), notes.toString());
        try (AutoencoderKl vae = AutoencoderKl.load(Path.of(output, "vae"), ModelOptions.defaults())) {
            assertTrue(vae.loadReport().unexpected().isEmpty());
        }
        assertTrue(Files.isRegularFile(tmp.resolve("vae-store/checkpoints/30/discriminator/config.json")));
    }

    private String unetRun(String json, Path dir, TrainingListener listener, Cancellation cancellation) {
        SchedulerConfig scheduler = SchedulerConfig.load(MODEL.resolve("scheduler/scheduler_config.json"));
        TrainingSettings settings = TrainingSettings.parse(json, scheduler.numTrainTimesteps());
        List<String> captions = List.of("a red circle", "a blue square", "a green triangle", "a red square");
        try (NDManager m = NDManager.newBaseManager()) {
            // latents: four fixed patterns the UNet can learn to denoise
            float[] fixed = new float[4 * 4 * 8 * 8];
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < fixed.length; i++) {
                fixed[i] = (float) r.nextGaussian();
            }
            NDArray mean = m.create(fixed, new Shape(4, 4, 8, 8));
            Path unetDir = MODEL.resolve("unet");
            Path textDir = MODEL.resolve("text_encoder");
            TextConditioning text;
            Map<String, NDArray> textWeights = null;
            if (settings.trainTextEncoder()) {
                textWeights = ComponentWeights.read(ComponentWeights.locate(textDir), m, DataType.FLOAT32);
                text = new TextConditioning.Joint(ClipTextConfig.read(textDir.resolve("config.json")),
                        ClipTokenizer.load(MODEL.resolve("tokenizer")), captions, settings.validationPrompts());
            } else {
                float[] ctx = new float[4 * 77 * 32];
                for (int i = 0; i < ctx.length; i++) {
                    ctx[i] = (float) r.nextGaussian();
                }
                text = new TextConditioning.Frozen(m.create(ctx, new Shape(4, 77, 32)), m.zeros(new Shape(1, 77, 32)),
                        m.zeros(new Shape(settings.validationPrompts().size(), 77, 32)));
            }
            UNetTrainingRun.Model model = new UNetTrainingRun.Model(unetDir.resolve("config.json"),
                    ComponentWeights.read(ComponentWeights.locate(unetDir), m, DataType.FLOAT32),
                    textDir.resolve("config.json"), textWeights, scheduler);
            NDArray std = m.full(mean.getShape(), 0.1f);
            return new UNetTrainingRun(settings, model, new UNetTrainingRun.Latents(mean, std), text,
                    new LocalCheckpointStore(dir.resolve("store")), listener, dir.resolve("work")).run(cancellation);
        }
    }

    private static TrainingListener recorder(List<Double> losses, List<Long> checkpoints, List<Long> samples,
                                             long[] stopAfter) {
        return new TrainingListener() {
            @Override
            public void progress(long step, long total, Map<String, Double> l, double lr, double sps) {
                losses.add(l.get("loss"));
                if (stopAfter != null && step == stopAfter[0]) {
                    stopAfter[0] = -1;
                }
            }

            @Override
            public void checkpoint(long step, String location) {
                checkpoints.add(step);
            }

            @Override
            public void sample(long step, NDArray latents, boolean images) {
                samples.add(step);
            }
        };
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
