package io.latentflow.core.train;

import io.latentflow.core.model.FolderTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** Checkpoints in a local folder: {@code <root>/checkpoints/<step>/} and {@code <root>/output/}. */
public final class LocalCheckpointStore implements CheckpointStore {

    private final Path root;

    public LocalCheckpointStore(Path root) {
        this.root = root;
    }

    @Override
    public String save(long step, Path folder) {
        Path target = root.resolve("checkpoints").resolve(Long.toString(step));
        replace(folder, target);
        return target.toString();
    }

    @Override
    public List<Long> steps() {
        Path dir = root.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve(TrainingCheckpoint.STATE_FILE)))
                    .map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Path fetch(long step, Path into) {
        return root.resolve("checkpoints").resolve(Long.toString(step));
    }

    @Override
    public void delete(long step) {
        FolderTrees.delete(root.resolve("checkpoints").resolve(Long.toString(step)));
    }

    @Override
    public String saveOutput(Path folder) {
        Path target = root.resolve("output");
        replace(folder, target);
        return target.toString();
    }

    private static void replace(Path from, Path to) {
        try {
            FolderTrees.delete(to);
            Files.createDirectories(to.getParent());
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : files.toList()) {
                    Path t = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else if (!p.getFileName().toString().equals(TrainingCheckpoint.STATE_FILE)) {
                        Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            // the state file last: a checkpoint without it is incomplete
            Path state = from.resolve(TrainingCheckpoint.STATE_FILE);
            if (Files.exists(state)) {
                Files.copy(state, to.resolve(TrainingCheckpoint.STATE_FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
