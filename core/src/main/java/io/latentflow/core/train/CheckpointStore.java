package io.latentflow.core.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a run's checkpoints live ({@code checkpoints/<step>/}, complete once its {@code state.json} exists) and
 * where its final components go: a local folder, or the object store of the services.
 */
public interface CheckpointStore {

    /** Stores a checkpoint folder written locally for a step; returns where it now is (for events). */
    String save(long step, Path folder);

    /** Steps of the complete checkpoints, ascending. */
    List<Long> steps();

    /** Copies the checkpoint of a step into a local folder and returns it. */
    Path fetch(long step, Path into);

    /** Removes a checkpoint. */
    void delete(long step);

    /** Stores the trained components (a folder in the diffusers layout); returns where they are. */
    String saveOutput(Path folder);

    /** The latest complete checkpoint's step, if any. */
    default Optional<Long> latest() {
        List<Long> steps = steps();
        return steps.isEmpty() ? Optional.empty() : Optional.of(steps.get(steps.size() - 1));
    }
}
