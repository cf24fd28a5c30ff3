package io.latentflow.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.orchestrator.job.GenerationEvents;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.JobStatus;
import org.junit.jupiter.api.Test;

/**
 * Who sees a job, and how long it has left: from its pace while it runs, from its place in the queue while it waits.
 */
class JobLookupTest {

    private static final ApiClients.Client ALICE = new ApiClients.Client("alice", "key-a", 4);

    @Test
    void aClientSeesItsOwnJobsAndThoseWrittenToTheTopicDirectlyOnly() {
        JobStatus.Builder status = JobStatus.newBuilder().setJobId("j1");
        GenerationRequest request = GenerationRequest.newBuilder().setJobId("j1").setPrompt("p").build();
        assertTrue(JobLookup.visibleTo(ALICE, status.setRequest(request.toBuilder().setClient("alice")).build()));
        assertTrue(JobLookup.visibleTo(ALICE, status.setRequest(request).build()), "no client: a backend's job");
        assertFalse(JobLookup.visibleTo(ALICE, status.setRequest(request.toBuilder().setClient("bob")).build()));
        assertFalse(JobLookup.visibleTo(ALICE, status.setRequest(request.toBuilder().setClient("alice2")).build()));
        assertFalse(JobLookup.visibleTo(ALICE, JobStatus.newBuilder().setJobId("j1").build()),
                "a job whose request is not known here is nobody's to see");
    }

    @Test
    void aRunningJobHasTheRemainingStepsOfItsLastProgressEventLessTheTimeSince() {
        GenerationEvent progress = GenerationEvents.progress("a", 5, 20, "", "", 6.0);
        long at = progress.getTimestampMs();
        assertEquals(6.0, JobLookup.etaSeconds(0, progress, 8, 10, at), 1e-9);
        assertEquals(4.5, JobLookup.etaSeconds(0, progress, 8, 10, at + 1500), 1e-9);
        assertEquals(0.0, JobLookup.etaSeconds(0, progress, 8, 10, at + 60_000), 1e-9, "never negative");
        assertEquals(0.0, JobLookup.etaSeconds(0, GenerationEvents.accepted("a"), 8, 10, at), "no pace yet");
    }

    @Test
    void aWaitingJobStartsWhenTheJobsAheadOfItHaveHadTheirTurnsOnTheWorkers() {
        // 2 workers, 10 s per job: the next job starts when a running job ends (5 s on average), then runs 10 s
        assertEquals(15.0, JobLookup.etaSeconds(1, null, 2, 10, 0), 1e-9);
        assertEquals(15.0, JobLookup.etaSeconds(2, null, 2, 10, 0), 1e-9, "the second goes on the other worker");
        assertEquals(25.0, JobLookup.etaSeconds(3, null, 2, 10, 0), 1e-9, "the third waits one more round");
        assertEquals(0.0, JobLookup.etaSeconds(3, null, 2, 0, 0), "no job has completed yet: not estimable");
    }
}
