package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.Timings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobTrackerTest {

    private final JobTracker tracker = new JobTracker();

    @Test
    void listenersSeeEveryLaterEventOfTheirJobUntilTheyUnsubscribe() throws Exception {
        List<EventType> seen = new ArrayList<>();
        AutoCloseable subscription = tracker.subscribe("a", event -> seen.add(event.getType()));
        tracker.onEvent(GenerationEvents.accepted("a"));
        tracker.onEvent(GenerationEvents.accepted("b"));
        tracker.onEvent(GenerationEvents.progress("a", 1, 2, "", "", 1.0));
        subscription.close();
        tracker.onEvent(GenerationEvents.progress("a", 2, 2, "", "", 0.0));
        assertEquals(List.of(EventType.ACCEPTED, EventType.PROGRESS), seen);
    }

    @Test
    void theTopicsCopyOfAnEventHeardHereAndOlderEventsAreSkippedAnotherOrchestratorsAreRecorded() {
        List<EventType> seen = new ArrayList<>();
        tracker.subscribe("a", event -> seen.add(event.getType()));
        GenerationEvent accepted = GenerationEvents.accepted("a");
        GenerationEvent completed = GenerationEvents.completed("a", List.of(), 1, Timings.getDefaultInstance());
        tracker.onEvent(accepted);
        tracker.onEvent(completed);

        tracker.onTopicEvent(accepted);
        tracker.onTopicEvent(completed);
        tracker.onTopicEvent(accepted.toBuilder().setEventId("older").setTimestampMs(completed.getTimestampMs() - 1)
                .build());
        assertEquals(List.of(EventType.ACCEPTED, EventType.COMPLETED), seen, "each event heard once");
        assertEquals(completed, tracker.find("a").orElseThrow().lastEvent().orElseThrow());

        GenerationEvent elsewhere = GenerationEvents.progress("b", 3, 10, "", "", 7.0);
        tracker.onTopicEvent(elsewhere);
        assertEquals(elsewhere, tracker.find("b").orElseThrow().lastEvent().orElseThrow(),
                "a job running on another orchestrator is known here");
    }

    @Test
    void theRefusalOfAnotherRequestUnderAJobsIdReachesItsListenersButLeavesTheJobsState() {
        List<EventType> seen = new ArrayList<>();
        tracker.subscribe("a", event -> seen.add(event.getType()));
        GenerationEvent completed = GenerationEvents.completed("a", List.of(), 1, Timings.getDefaultInstance());
        tracker.onEvent(GenerationEvents.accepted("a"));
        tracker.onEvent(completed);
        tracker.onTopicEvent(GenerationEvents.failed("a", "job_id", "'a' already names another request"));
        assertEquals(List.of(EventType.ACCEPTED, EventType.COMPLETED, EventType.FAILED), seen);
        assertEquals(completed, tracker.find("a").orElseThrow().lastEvent().orElseThrow());

        GenerationEvent refused = GenerationEvents.failed("b", "job_id", "'b' is not well formed");
        tracker.onEvent(refused);
        assertEquals(refused, tracker.find("b").orElseThrow().lastEvent().orElseThrow(),
                "a job id refused before any job ran under it ends failed");
    }

    @Test
    void theRequestOfAJobHeardOfThroughItsEventsIsRememberedWithoutMakingItWait() {
        GenerationRequest request = GenerationRequest.newBuilder().setJobId("a").setPrompt("p").build();
        tracker.rememberRequest("a", request);
        assertTrue(tracker.find("a").isEmpty(), "an unknown job stays unknown");
        tracker.onTopicEvent(GenerationEvents.progress("a", 3, 10, "", "", 7.0));
        tracker.rememberRequest("a", request);
        JobTracker.TrackedJob job = tracker.find("a").orElseThrow();
        assertEquals(request, job.request().orElseThrow());
        assertEquals(0, tracker.queuePosition("a"), "it runs elsewhere, it does not wait here");
    }

    @Test
    void remembersTheRequestAndTheLastEvent() {
        GenerationRequest request = GenerationRequest.newBuilder().setJobId("a").setPrompt("p").build();
        tracker.track("a", request);
        tracker.onEvent(GenerationEvents.accepted("a"));
        GenerationEvent failed = GenerationEvents.failed("a", "steps", "must be between 1 and 1000, got 0");
        tracker.onEvent(failed);
        JobTracker.TrackedJob job = tracker.find("a").orElseThrow();
        assertEquals(request, job.request().orElseThrow());
        assertEquals(failed, job.lastEvent().orElseThrow());
        assertTrue(job.ended());
        assertTrue(tracker.find("unknown").isEmpty());
    }

    @Test
    void onlyKnownJobsThatHaveNotEndedCanBeCancelled() {
        assertFalse(tracker.requestCancel("unknown"));
        tracker.track("a", GenerationRequest.getDefaultInstance());
        assertTrue(tracker.requestCancel("a"), "a submitted job can be cancelled before it starts");
        assertTrue(tracker.isCancelRequested("a"));
        tracker.onEvent(GenerationEvents.cancelled("a"));
        assertFalse(tracker.requestCancel("a"));
    }

    @Test
    void terminalEventsAreCompletedFailedAndCancelled() {
        assertTrue(JobTracker.isTerminal(EventType.COMPLETED));
        assertTrue(JobTracker.isTerminal(EventType.FAILED));
        assertTrue(JobTracker.isTerminal(EventType.CANCELLED));
        assertFalse(JobTracker.isTerminal(EventType.ACCEPTED));
        assertFalse(JobTracker.isTerminal(EventType.PROGRESS));
    }

    @Test
    void forgetsTheOldestEndedJobsBeyondTheRetainedCount() {
        for (int i = 0; i <= JobTracker.RETAINED_ENDED_JOBS; i++) {
            tracker.onEvent(GenerationEvents.completed("job-" + i, List.of(), i,
                    Timings.getDefaultInstance()));
        }
        assertTrue(tracker.find("job-0").isEmpty());
        assertTrue(tracker.find("job-1").isPresent());
        assertTrue(tracker.find("job-" + JobTracker.RETAINED_ENDED_JOBS).isPresent());
    }

    @Test
    void jobsWaitingForAWorkerAreNumberedInTheOrderTheyWereSubmittedHere() {
        for (String id : List.of("a", "b", "c")) {
            tracker.track(id, GenerationRequest.newBuilder().setJobId(id).build());
        }
        assertEquals(List.of(1, 2, 3), List.of(tracker.queuePosition("a"), tracker.queuePosition("b"),
                tracker.queuePosition("c")));

        tracker.onTopicEvent(GenerationEvents.accepted("b"));
        assertEquals(List.of(1, 0, 2), List.of(tracker.queuePosition("a"), tracker.queuePosition("b"),
                tracker.queuePosition("c")), "b runs (here or on another orchestrator): c moves up");
        tracker.onEvent(GenerationEvents.accepted("a"));
        assertEquals(1, tracker.queuePosition("c"));
        assertEquals(0, tracker.queuePosition("unknown"));
    }

    @Test
    void theMeanJobDurationFollowsTheCompletedJobs() {
        assertEquals(0, tracker.meanJobSeconds(), "no job completed yet");
        tracker.onEvent(GenerationEvents.completed("a", List.of(), 1, Timings.newBuilder().setTotalMs(10_000).build()));
        assertEquals(10, tracker.meanJobSeconds(), 1e-9);
        tracker.onEvent(GenerationEvents.completed("b", List.of(), 1, Timings.newBuilder().setTotalMs(5_000).build()));
        assertEquals(0.2 * 5 + 0.8 * 10, tracker.meanJobSeconds(), 1e-9);
        tracker.onEvent(GenerationEvents.failed("c", "steps", "too many"));
        assertEquals(9, tracker.meanJobSeconds(), 1e-9, "only completed jobs count");
    }

    @Test
    void theLatestPreviewStaysKnownThroughTheStepsWithoutOne() {
        tracker.onEvent(GenerationEvents.progress("a", 1, 4, "", "", 3.0));
        assertEquals("", tracker.find("a").orElseThrow().previewKey());
        tracker.onEvent(GenerationEvents.progress("a", 2, 4, "", "jobs/a/previews/step-2.png", 2.0));
        tracker.onEvent(GenerationEvents.progress("a", 3, 4, "", "", 1.0));
        assertEquals("jobs/a/previews/step-2.png", tracker.find("a").orElseThrow().previewKey());
    }
}
