package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.sampling.Sampler;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SamplerChoiceTest {

    /** The shipped tiny model's DDIM configuration: 1000 training steps, "leading" spacing, steps_offset 1. */
    private static final SchedulerConfig TINY_SD =
            SchedulerConfig.load(Path.of("../models/tiny-sd/1/scheduler/scheduler_config.json"));

    private final RequestValidator validator = new RequestValidator(RequestLimits.defaults());

    private JobSpec spec(String sampler, int steps) {
        return validator.validate(io.latentflow.proto.GenerationRequest.newBuilder()
                .setPrompt("p").setSampler(sampler).setSteps(steps).build(), "job");
    }

    @Test
    void makesEverySamplerOfTheRequestForTheModelsConfiguration() {
        for (String name : RequestValidator.SAMPLERS) {
            Sampler sampler = SamplerChoice.create(spec(name, 10), TINY_SD);
            assertEquals(name, sampler.name());
            Schedule schedule = SamplerChoice.schedule(sampler, 10);
            assertEquals(10, schedule.steps());
        }
    }

    @Test
    void ddimLeadingSpacingStartsAtTheOffsetTimestep() {
        Schedule schedule = SamplerChoice.schedule(SamplerChoice.create(spec("ddim", 20), TINY_SD), 20);
        // leading spacing: t = k * (1000 / 20) + steps_offset, descending
        assertEquals(951f, schedule.timestep(0));
        assertEquals(1f, schedule.timestep(19));
    }

    @Test
    void refusesStepCountsThatLeaveTheTrainingSchedule() {
        Sampler ddim = SamplerChoice.create(spec("ddim", 1000), TINY_SD);
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> SamplerChoice.schedule(ddim, 1000));
        assertEquals("steps", e.field());
        assertTrue(e.reason().contains("1000"), e.reason());
        assertEquals(999, SamplerChoice.schedule(ddim, 999).steps());
    }
}
