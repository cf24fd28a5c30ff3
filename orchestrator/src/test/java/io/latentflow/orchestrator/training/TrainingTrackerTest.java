package io.latentflow.orchestrator.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.proto.TrainingEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingTrackerTest {

    private static TrainingEvent event(String type, long step) {
        return TrainingEvent.newBuilder().setEventId(type + step).setRunId("r").setType(type).setStep(step).build();
    }

    @Test
    void watchersHearTheRunsEventsUntilTheyStopWatching() {
        TrainingTracker tracker = new TrainingTracker();
        List<Long> heard = new ArrayList<>();
        Runnable stop = tracker.watch("r", event -> heard.add(event.getStep()));
        tracker.onEvent(event(TrainingEvents.PROGRESS, 1));
        tracker.onEvent(event(TrainingEvents.PROGRESS, 2).toBuilder().setRunId("other").build());
        stop.run();
        tracker.onEvent(event(TrainingEvents.PROGRESS, 3));
        assertEquals(List.of(1L), heard);
    }

    @Test
    void theLatestEventIsKeptWhileTheRunGoesOn() {
        TrainingTracker tracker = new TrainingTracker();
        assertTrue(tracker.start("r"));
        tracker.onEvent(event(TrainingEvents.PROGRESS, 1));
        tracker.onEvent(event(TrainingEvents.CHECKPOINT, 2));
        assertEquals(2, tracker.latest("r").orElseThrow().getStep());
        tracker.onEvent(event(TrainingEvents.COMPLETED, 2));
        assertFalse(tracker.latest("r").isPresent(), "an ended run's end is in its run.json");
        tracker.onEvent(event(TrainingEvents.PROGRESS, 3));
        tracker.end("r");
        assertFalse(tracker.latest("r").isPresent());
    }

    @Test
    void onlyARunGoingOnHereCanBeCancelled() {
        TrainingTracker tracker = new TrainingTracker();
        assertFalse(tracker.requestCancel("r"));
        tracker.start("r");
        assertTrue(tracker.requestCancel("r"));
        assertTrue(tracker.cancelRequested("r"));
        tracker.end("r");
        assertFalse(tracker.cancelRequested("r"));
    }
}
