package io.latentflow.orchestrator.training;

import io.latentflow.proto.TrainingEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Runs of this orchestrator as they happen: their events for Watch streams (and the latest one, for a watcher that
 * comes in mid-run), and their cancel requests.
 */
@ApplicationScoped
public class TrainingTracker {

    private final Map<String, List<Consumer<TrainingEvent>>> watchers = new ConcurrentHashMap<>();
    private final Set<String> cancelRequests = ConcurrentHashMap.newKeySet();
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final Map<String, TrainingEvent> latest = new ConcurrentHashMap<>();

    /** Hands an event to the run's watchers. */
    public void onEvent(TrainingEvent event) {
        // before the watchers: one that starts watching meanwhile may get the event twice (it drops one), never not
        // at all; an ended run's last word is its run.json
        if (TrainingEvents.isTerminal(event.getType())) {
            latest.remove(event.getRunId());
        } else {
            latest.put(event.getRunId(), event);
        }
        watchers.getOrDefault(event.getRunId(), List.of()).forEach(w -> w.accept(event));
        if (TrainingEvents.isTerminal(event.getType())) {
            cancelRequests.remove(event.getRunId());
        }
    }

    /** The latest event of a run going on here. */
    public Optional<TrainingEvent> latest(String runId) {
        return Optional.ofNullable(latest.get(runId));
    }

    /** Adds a watcher of a run's future events; returns the action that removes it. */
    public Runnable watch(String runId, Consumer<TrainingEvent> watcher) {
        watchers.computeIfAbsent(runId, id -> new CopyOnWriteArrayList<>()).add(watcher);
        return () -> watchers.getOrDefault(runId, List.of()).remove(watcher);
    }

    /** Marks a run as running here; false when it already is (a redelivered record of a running run). */
    public boolean start(String runId) {
        return active.add(runId);
    }

    /** Marks a run as no longer running here. */
    public void end(String runId) {
        active.remove(runId);
        latest.remove(runId);
        cancelRequests.remove(runId);
    }

    /** Whether the run is running here. */
    public boolean isActive(String runId) {
        return active.contains(runId);
    }

    /** Asks a running run to stop; false when it is not running here. */
    public boolean requestCancel(String runId) {
        if (!active.contains(runId)) {
            return false;
        }
        cancelRequests.add(runId);
        return true;
    }

    /** Whether a cancel was asked for. */
    public boolean cancelRequested(String runId) {
        return cancelRequests.contains(runId);
    }
}
