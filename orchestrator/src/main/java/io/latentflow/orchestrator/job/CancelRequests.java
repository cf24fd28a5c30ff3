package io.latentflow.orchestrator.job;

import io.latentflow.orchestrator.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cancellation across orchestrators: a cancel is noted in the bucket (jobs/&lt;id&gt;/cancel.requested) as well as
 * in the {@link JobTracker} of the orchestrator that received it; the orchestrator running the job looks for the note
 * at most once per {@link #CHECK_INTERVAL} and then stops the job as if it had been cancelled there. The note stays:
 * a cancelled job id delivered again (or resubmitted) ends cancelled at once.
 */
@ApplicationScoped
public class CancelRequests {

    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    private final ObjectStore store;
    private final JobTracker tracker;
    private final Map<String, Long> lastChecks = new ConcurrentHashMap<>();

    @Inject
    CancelRequests(ObjectStore store, JobTracker tracker) {
        this.store = store;
        this.tracker = tracker;
    }

    /** Cancels a job wherever it runs; false when this orchestrator knows the job has ended or knows nothing of it. */
    public boolean request(String jobId) {
        if (!tracker.requestCancel(jobId)) {
            return false;
        }
        store.put(JobKeys.cancelRequest(jobId), new byte[0], "application/octet-stream");
        return true;
    }

    /** Whether the job is cancelled, here or (looked up now) on another orchestrator. */
    public boolean cancelledNow(String jobId) {
        lastChecks.put(jobId, System.nanoTime());
        if (!tracker.isCancelRequested(jobId) && store.get(JobKeys.cancelRequest(jobId)).isPresent()) {
            tracker.requestCancel(jobId);
        }
        return tracker.isCancelRequested(jobId);
    }

    /** {@link #cancelledNow} for a running job, asking the bucket at most once per interval. */
    public void poll(String jobId) {
        Long last = lastChecks.get(jobId);
        if (last == null || System.nanoTime() - last >= CHECK_INTERVAL.toNanos()) {
            cancelledNow(jobId);
        }
    }

    /** Forgets a job that has ended here. */
    public void forget(String jobId) {
        lastChecks.remove(jobId);
    }
}
