package io.latentflow.orchestrator.training;

import io.latentflow.proto.TrainingEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Runs of this orchestrator as they happen: their events for Watch streams, and their cancel requests.
 */
@ApplicationScoped
public class TrainingTracker {

    private final Map<String, List<Consumer<TrainingEvent>>> watchers = new ConcurrentHashMap<>();
    private final Set<String> cancelRequests = ConcurrentHashMap.newKeySet();
    private final Set<String> active = ConcurrentHashMap.newKeySet();

    /** Hands an event to the run's watchers. */
    public void onEvent(TrainingEvent event) {
        watchers.getOrDefault(event.getRunId(), List.of()).forEach(w -> w.accept(event));
        if (TrainingEvents.isTerminal(event.getType())) {
            cancelRequests.remove(event.getRunId());
        }
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
