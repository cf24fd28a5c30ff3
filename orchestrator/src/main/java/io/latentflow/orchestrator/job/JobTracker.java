package io.latentflow.orchestrator.job;

import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The in-process view of jobs: each job's request, last event and cancel flag, and an event bus that the gRPC
 * streaming API listens on. It hears the events this process publishes and, from the events topic, those of jobs
 * running on other orchestrators (so that GetJob and Generate answer for any job). Ended jobs are kept for
 * {@link #RETAINED_ENDED_JOBS} jobs, then forgotten.
 */
@ApplicationScoped
public class JobTracker {

    /** How many ended jobs stay queryable through GetJob. */
    public static final int RETAINED_ENDED_JOBS = 10_000;
    /** Event ids remembered per job to recognise the topic's copy of an event already heard. */
    private static final int REMEMBERED_EVENT_IDS = 64;

    private final Map<String, TrackedJob> jobs = new ConcurrentHashMap<>();
    private final Deque<String> ended = new ArrayDeque<>();
    private volatile boolean shuttingDown;

    /** One job as this process knows it. */
    public static final class TrackedJob {
        private final String jobId;
        /** When this process first heard of the job (System.nanoTime): the order of the jobs waiting here. */
        private final long heardNanos = System.nanoTime();
        private volatile GenerationRequest request;
        private volatile GenerationEvent lastEvent;
        private volatile String previewKey = "";
        private volatile boolean cancelRequested;
        private final List<Consumer<GenerationEvent>> listeners = new CopyOnWriteArrayList<>();
        private final Set<String> recentEventIds = new LinkedHashSet<>();

        /** Remembers the event; false when it was heard before or is older than the last one. */
        private synchronized boolean firstHearing(GenerationEvent event) {
            GenerationEvent last = lastEvent;
            if (recentEventIds.contains(event.getEventId())
                    || last != null && event.getTimestampMs() < last.getTimestampMs()) {
                return false;
            }
            recentEventIds.add(event.getEventId());
            if (recentEventIds.size() > REMEMBERED_EVENT_IDS) {
                recentEventIds.remove(recentEventIds.iterator().next());
            }
            return true;
        }

        TrackedJob(String jobId) {
            this.jobId = jobId;
        }

        public String jobId() {
            return jobId;
        }

        public Optional<GenerationRequest> request() {
            return Optional.ofNullable(request);
        }

        public Optional<GenerationEvent> lastEvent() {
            return Optional.ofNullable(lastEvent);
        }

        public boolean cancelRequested() {
            return cancelRequested;
        }

        public boolean ended() {
            GenerationEvent event = lastEvent;
            return event != null && isTerminal(event.getType());
        }

        /** The object key of the job's latest preview, "" before its first. */
        public String previewKey() {
            return previewKey;
        }

        /** Submitted here and not yet taken by a worker: no event yet. */
        public boolean waiting() {
            return request != null && lastEvent == null;
        }
    }

    /** Weight of the latest job in the running mean of job durations. */
    private static final double DURATION_WEIGHT = 0.2;
    private volatile double meanJobSeconds;

    /** Whether an event of this type ends its job. */
    public static boolean isTerminal(EventType type) {
        return type == EventType.COMPLETED || type == EventType.FAILED || type == EventType.CANCELLED;
    }

    /** Records a job as submitted (known before its record is consumed, so that it can be cancelled early). */
    public TrackedJob track(String jobId, GenerationRequest request) {
        TrackedJob job = jobs.computeIfAbsent(jobId, TrackedJob::new);
        job.request = request;
        return job;
    }

    /** Notes the request of a job known here only from its events (read from its record), for the next lookups. */
    public void rememberRequest(String jobId, GenerationRequest request) {
        jobs.computeIfPresent(jobId, (id, job) -> {
            if (job.request == null) {
                job.request = request;
            }
            return job;
        });
    }

    /** The jobs this process knows, latest event first (jobs without events, just submitted, first of all). */
    public List<TrackedJob> recent(int limit) {
        return jobs.values().stream()
                .sorted(Comparator.comparingLong((TrackedJob job) -> job.lastEvent()
                        .map(GenerationEvent::getTimestampMs).orElse(Long.MAX_VALUE)).reversed())
                .limit(limit)
                .toList();
    }

    /**
     * The job's place among the jobs waiting here for a worker, 1 for the next; 0 when it is not waiting. Jobs
     * sent straight to the requests topic are not known here until a worker takes them, so they do not count.
     */
    public int queuePosition(String jobId) {
        TrackedJob job = jobs.get(jobId);
        if (job == null || !job.waiting()) {
            return 0;
        }
        return 1 + (int) jobs.values().stream()
                .filter(other -> other.waiting() && other.heardNanos < job.heardNanos)
                .count();
    }

    /** The recent duration of a job from its start to its end (a running mean), 0 before any job completed. */
    public double meanJobSeconds() {
        return meanJobSeconds;
    }

    public Optional<TrackedJob> find(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    /** Records an event this process publishes as the job's latest and hands it to the job's listeners. */
    public void onEvent(GenerationEvent event) {
        TrackedJob job = jobs.computeIfAbsent(event.getJobId(), TrackedJob::new);
        job.firstHearing(event);
        record(job, event);
    }

    /**
     * Records an event read from the events topic: another orchestrator's, or the copy of one this process published
     * (recognised by its id, and skipped), or one older than the job's latest (skipped).
     */
    public void onTopicEvent(GenerationEvent event) {
        TrackedJob job = jobs.computeIfAbsent(event.getJobId(), TrackedJob::new);
        if (job.firstHearing(event)) {
            record(job, event);
        }
    }

    private void record(TrackedJob job, GenerationEvent event) {
        if (isReusedIdRefusal(job, event)) {
            // addressed to whoever reused the id: its stream hears it, the job's own state stays
            tell(job, event);
            return;
        }
        job.lastEvent = event;
        if (!event.getProgress().getPreviewKey().isEmpty()) {
            job.previewKey = event.getProgress().getPreviewKey();
        }
        if (event.getType() == EventType.COMPLETED) {
            double seconds = event.getCompleted().getTimings().getTotalMs() / 1000.0;
            meanJobSeconds = meanJobSeconds == 0 ? seconds
                    : DURATION_WEIGHT * seconds + (1 - DURATION_WEIGHT) * meanJobSeconds;
        }
        tell(job, event);
        if (isTerminal(event.getType())) {
            retire(event.getJobId());
        }
    }

    private static void tell(TrackedJob job, GenerationEvent event) {
        for (Consumer<GenerationEvent> listener : job.listeners) {
            listener.accept(event);
        }
    }

    /** A job id's refusal of another request under it, heard after the job itself was accepted. */
    private static boolean isReusedIdRefusal(TrackedJob job, GenerationEvent event) {
        return event.getType() == EventType.FAILED && "job_id".equals(event.getFailure().getField())
                && job.lastEvent != null;
    }

    /** Calls {@code listener} with every later event of the job until the returned handle is closed. */
    public AutoCloseable subscribe(String jobId, Consumer<GenerationEvent> listener) {
        TrackedJob job = jobs.computeIfAbsent(jobId, TrackedJob::new);
        job.listeners.add(listener);
        return () -> job.listeners.remove(listener);
    }

    /** Asks a job to stop at its next step; false when the job is unknown or already ended. */
    public boolean requestCancel(String jobId) {
        TrackedJob job = jobs.get(jobId);
        if (job == null || job.ended()) {
            return false;
        }
        job.cancelRequested = true;
        return true;
    }

    public boolean isCancelRequested(String jobId) {
        TrackedJob job = jobs.get(jobId);
        return job != null && job.cancelRequested;
    }

    /** From now on every job stops at its next step: the process is shutting down and Kafka redelivers them. */
    public void stopAllAtNextStep() {
        shuttingDown = true;
    }

    /** Whether the job should stop at its next step: cancelled, or the process is shutting down. */
    public boolean shouldStop(String jobId) {
        return shuttingDown || isCancelRequested(jobId);
    }

    private void retire(String jobId) {
        synchronized (ended) {
            ended.addLast(jobId);
            while (ended.size() > RETAINED_ENDED_JOBS) {
                String oldest = ended.removeFirst();
                jobs.computeIfPresent(oldest, (id, job) -> job.ended() && job.listeners.isEmpty() ? null : job);
            }
        }
    }
}
