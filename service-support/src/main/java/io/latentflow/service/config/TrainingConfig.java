package io.latentflow.service.config;

import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Where a model service's training runs keep their local files: the {@code <prefix>.training.*} keys. */
public interface TrainingConfig {

    /**
     * Parent of the runs' work directories ({@code <work-dir>/<run>/}: the base model when fetched, dataset inputs,
     * checkpoints on their way to the store), absolute or relative to the working directory; each is deleted when
     * its run ends.
     */
    @WithDefault("../.latentflow/training")
    Path workDir();
}
