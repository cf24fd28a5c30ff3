package io.latentflow.core.schedule;

import io.latentflow.core.sampling.OracleFiles;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scheduler_config.json parsing with diffusers 0.27.2 defaults per scheduler class. */
class SchedulerConfigTest {

    @Test
    void readsThePipelineSchedulerConfig() {
        SchedulerConfig c = SchedulerConfig.load(OracleFiles.root().resolve("pipeline_sd_tiny/scheduler/scheduler_config.json"));
        assertEquals("DDIMScheduler", c.className());
        assertEquals("scaled_linear", c.betaSchedule());
        assertEquals(TimestepSpacing.LEADING, c.timestepSpacing());
        assertEquals(1, c.stepsOffset());
        assertFalse(c.clipSample());
        assertFalse(c.setAlphaToOne());
        assertEquals(PredictionType.EPSILON, c.predictionType());
    }

    @Test
    void missingKeysTakeTheDefaultsOfTheReadingClass() {
        SchedulerConfig ddim = SchedulerConfig.fromMap(Map.of("beta_schedule", "scaled_linear"), "DDIMScheduler");
        assertTrue(ddim.clipSample());
        assertTrue(ddim.setAlphaToOne());
        assertEquals(TimestepSpacing.LEADING, ddim.timestepSpacing());
        SchedulerConfig euler = ddim.resolvedFor("EulerDiscreteScheduler");
        assertEquals(TimestepSpacing.LINSPACE, euler.timestepSpacing());
        assertEquals("scaled_linear", euler.betaSchedule());
        SchedulerConfig explicit = SchedulerConfig.fromMap(Map.of("timestep_spacing", "trailing"), "DDIMScheduler");
        assertEquals(TimestepSpacing.TRAILING, explicit.resolvedFor("EulerDiscreteScheduler").timestepSpacing());
    }

    @Test
    void parsesNonNumericJsonNumbersAndRejectsUnknownValues() {
        SchedulerConfig c = SchedulerConfig.parse("{\"_class_name\": \"DPMSolverMultistepScheduler\", "
                + "\"lambda_min_clipped\": -Infinity, \"use_karras_sigmas\": true}");
        assertTrue(c.useKarrasSigmas());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SchedulerConfig.fromMap(Map.of("beta_schedule", "quadratic"), "DDIMScheduler"));
        assertTrue(e.getMessage().contains("scaled_linear"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SchedulerConfig.fromMap(Map.of("timestep_spacing", "uniform"), "DDIMScheduler"));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    @Test
    void latentDiffusionSchedulesAndZeroTerminalSnr() {
        SchedulerConfig sqrtLinear = SchedulerConfig.fromMap(Map.of("beta_schedule", "sqrt_linear",
                "beta_start", 0.0001, "beta_end", 0.02), "DDPMScheduler");
        float[] betas = NoiseSchedule.of(sqrtLinear).betas();
        assertEquals(0.0001f, betas[0], 1e-9f);
        assertEquals(0.02f, betas[999], 1e-9f);
        SchedulerConfig sqrt = SchedulerConfig.fromMap(Map.of("beta_schedule", "sqrt",
                "beta_start", 0.0001, "beta_end", 0.02), "DDPMScheduler");
        assertEquals((float) Math.sqrt(0.02), NoiseSchedule.of(sqrt).betas()[999], 1e-7f);
        SchedulerConfig cosine = SchedulerConfig.fromMap(Map.of("beta_schedule", "squaredcos_cap_v2"), "DDPMScheduler");
        assertEquals(0.999f, NoiseSchedule.of(cosine).betas()[999], 1e-6f);
        SchedulerConfig zeroSnr = SchedulerConfig.fromMap(Map.of("beta_schedule", "scaled_linear",
                "beta_start", 0.00085, "beta_end", 0.012, "rescale_betas_zero_snr", true), "DDIMScheduler");
        assertEquals(0f, NoiseSchedule.of(zeroSnr).alphasCumprod()[999]);
    }
}
