package io.latentflow.core.train;

import java.util.Locale;

/**
 * The learning-rate multiplier per optimizer step, as diffusers' get_scheduler (a LambdaLR: step 0 is the first
 * update): constant; constant_with_warmup, linear from 0 over the warm-up steps; cosine, the same warm-up then a
 * half cosine from 1 to 0 at the last step (Loshchilov and Hutter 2017, SGDR, without restarts).
 */
public record LearningRateSchedule(Kind kind, int warmupSteps, int totalSteps) {

    /** The schedule's shape, by its diffusers name. */
    public enum Kind {
        CONSTANT("constant"), CONSTANT_WITH_WARMUP("constant_with_warmup"), COSINE("cosine");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        /** The diffusers name. */
        public String configName() {
            return configName;
        }

        /** Parses a diffusers lr_scheduler name. */
        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.configName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("lr_scheduler must be constant, constant_with_warmup or cosine, not '"
                    + name + "'");
        }
    }

    public LearningRateSchedule {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("lr_warmup_steps must be >= 0, got " + warmupSteps);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("max_train_steps must be >= 1, got " + totalSteps);
        }
    }

    /** The factor applied to the base learning rate at optimizer step {@code step} (0-based). */
    public double factor(long step) {
        if (kind == Kind.CONSTANT) {
            return 1.0;
        }
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        if (kind == Kind.CONSTANT_WITH_WARMUP) {
            return 1.0;
        }
        // cosine with num_cycles 0.5: 0.5 (1 + cos(pi * progress))
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
    }
}
