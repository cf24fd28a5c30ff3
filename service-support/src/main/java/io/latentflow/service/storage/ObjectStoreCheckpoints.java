package io.latentflow.service.storage;

import io.latentflow.core.train.CheckpointStore;
import io.latentflow.core.train.TrainingCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A training run's checkpoints and output in the bucket: {@code training/<run>/checkpoints/<step>/} (complete once
 * its {@code state.json} exists, which is uploaded last and removed first) and {@code training/<run>/output/}.
 */
public final class ObjectStoreCheckpoints implements CheckpointStore {

    private static final String STATE = TrainingCheckpoint.STATE_FILE;

    private final ObjectStore store;
    private final String runPrefix;
    private final Pattern stateKey;

    /**
     * @param runId one path segment, as {@link ModelId} names are
     */
    public ObjectStoreCheckpoints(ObjectStore store, String runId) {
        ModelId.requireSegment("run_id", runId);
        this.store = store;
        this.runPrefix = runPrefix(runId);
        this.stateKey = Pattern.compile(Pattern.quote(runPrefix + "checkpoints/") + "(\\d{1,18})/"
                + Pattern.quote(STATE));
    }

    /** {@code training/<run>/}: where everything of a run is kept. */
    public static String runPrefix(String runId) {
        return "training/" + runId + "/";
    }

    /** {@code training/<run>/checkpoints/<step>/}. */
    public String checkpointPrefix(long step) {
        return runPrefix + "checkpoints/" + step + "/";
    }

    /** {@code training/<run>/output/}. */
    public String outputPrefix() {
        return runPrefix + "output/";
    }

    @Override
    public String save(long step, Path folder) {
        String prefix = checkpointPrefix(step);
        removeAll(prefix);
        upload(folder, prefix);
        return prefix;
    }

    @Override
    public List<Long> steps() {
        List<Long> steps = new ArrayList<>();
        for (String key : store.keys(runPrefix + "checkpoints/")) {
            Matcher m = stateKey.matcher(key);
            if (m.matches()) {
                steps.add(Long.parseLong(m.group(1)));
            }
        }
        return steps.stream().distinct().sorted().toList();
    }

    /** Downloads the checkpoint into {@code into} (an absent or empty folder) and returns it. */
    @Override
    public Path fetch(long step, Path into) {
        String prefix = checkpointPrefix(step);
        Path base = into.toAbsolutePath().normalize();
        for (String key : store.keys(prefix)) {
            Path file = base.resolve(key.substring(prefix.length())).normalize();
            if (file.startsWith(base)) {
                store.download(key, file);
            }
        }
        if (!Files.isRegularFile(base.resolve(STATE))) {
            throw new IllegalStateException("checkpoint " + store.location() + prefix + " has no " + STATE);
        }
        return base;
    }

    @Override
    public void delete(long step) {
        removeAll(checkpointPrefix(step));
    }

    @Override
    public String saveOutput(Path folder) {
        String prefix = outputPrefix();
        removeAll(prefix);
        upload(folder, prefix);
        return prefix;
    }

    /** Removes every object under a prefix, its state.json first, so that a half-removed checkpoint is incomplete. */
    private void removeAll(String prefix) {
        List<String> keys = new ArrayList<>(store.keys(prefix));
        keys.sort(Comparator.comparing((String key) -> !key.equals(prefix + STATE)));
        keys.forEach(store::remove);
    }

    /** Uploads every file of a folder under a prefix, its top-level state.json last. */
    private void upload(Path folder, String prefix) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        Path state = folder.resolve(STATE);
        for (Path file : files) {
            if (!file.equals(state)) {
                store.upload(file, prefix + key(folder, file));
            }
        }
        if (Files.isRegularFile(state)) {
            store.upload(state, prefix + STATE);
        }
    }

    private static String key(Path folder, Path file) {
        return folder.relativize(file).toString().replace('\\', '/');
    }
}
