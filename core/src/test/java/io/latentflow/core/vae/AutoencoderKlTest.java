package io.latentflow.core.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.OracleCases;
import io.latentflow.core.model.ModelOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VAE posterior and decoder against diffusers 0.27.2 float32 reference outputs; tolerance 1e-4 absolute. */
class AutoencoderKlTest {

    private static final float TOLERANCE = 1e-4f;

    @Test
    void encodeAndDecodeReproduceEveryOracleCase() {
        Path dir = OracleCases.dir("vae_tiny");
        try (NDManager manager = NDManager.newBaseManager();
             AutoencoderKl vae = AutoencoderKl.load(dir, ModelOptions.defaults())) {
            assertEquals(2, vae.config().scaleFactor());
            assertEquals(0.18215, vae.config().scalingFactor(), 1e-12);
            assertEquals(0.0, vae.config().shiftFactor());
            assertTrue(vae.loadReport().unexpected().isEmpty(), vae.loadReport().unexpected().toString());
            OracleCases cases = OracleCases.read("vae_tiny", manager);
            assertEquals(3, cases.indices().size());
            for (int i : cases.indices()) {
                DiagonalGaussianDistribution posterior = vae.encode(cases.get(i, "image"));
                check(i, "latent_mean", posterior.mean(), cases);
                check(i, "latent_logvar", posterior.logvar(), cases);
                check(i, "latent_std", posterior.std(), cases);
                check(i, "latent_sample", posterior.sample(cases.get(i, "sample_noise")), cases);
                check(i, "decoded", vae.decode(cases.get(i, "latent")), cases);
            }
        }
    }

    @Test
    void anImageDecodesBitForBitTheSameAloneAndAmongOthers() {
        try (NDManager manager = NDManager.newBaseManager();
             AutoencoderKl vae = AutoencoderKl.load(OracleCases.dir("vae_tiny"), ModelOptions.defaults())) {
            manager.getEngine().setRandomSeed(3);
            NDArray latents = manager.randomNormal(new Shape(3, vae.config().latentChannels(), 4, 4));
            NDArray together = vae.decode(latents);
            for (int i = 0; i < 3; i++) {
                NDArray alone = vae.decode(latents.get(i + ":" + (i + 1)));
                assertEquals(0f, alone.sub(together.get(i + ":" + (i + 1))).abs().max().getFloat(), "image " + i);
            }
        }
    }

    @Test
    void float16IsUpcastWhenTheConfigSaysForceUpcast() {
        try (AutoencoderKl vae = AutoencoderKl.load(OracleCases.dir("vae_tiny"), ModelOptions.of("cpu", "float16"))) {
            assertTrue(vae.config().forceUpcast());
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, vae.dataType());
        }
    }

    @Test
    void klAndNllFollowTheGaussianFormulas() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // moments: mean 1 everywhere, logvar 0 (var 1) -> kl = 0.5 * sum(1) = 0.5 * C*h*w
            NDArray moments = manager.create(new float[] {1, 1, 0, 0}, new Shape(1, 2, 1, 2));
            DiagonalGaussianDistribution d = DiagonalGaussianDistribution.fromMoments(moments);
            assertEquals(1f, d.kl().getFloat(), 1e-6);
            // nll at the mean: 0.5 * 2 * log(2 pi)
            assertEquals((float) Math.log(2 * Math.PI), d.nll(d.mode()).getFloat(), 1e-5);
            NDArray clamped = DiagonalGaussianDistribution.fromMoments(
                    manager.create(new float[] {0, 50}, new Shape(1, 2, 1, 1))).logvar();
            assertEquals(20f, clamped.getFloat());
        }
    }

    private static void check(int i, String name, NDArray actual, OracleCases cases) {
        float err = OracleCases.maxAbsError(actual, cases.get(i, "expected_" + name));
        System.out.printf("vae_tiny case%d %s max abs error %.3g%n", i, name, err);
        assertTrue(err <= TOLERANCE, "case" + i + " " + name + ": max abs error " + err);
    }
}
