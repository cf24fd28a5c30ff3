package io.latentflow.orchestrator.job;

import io.latentflow.proto.Completed;
import io.latentflow.proto.EventType;
import io.latentflow.proto.Failure;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.ImageResult;
import io.latentflow.proto.Progress;
import io.latentflow.proto.Timings;
import java.util.List;
import java.util.UUID;

/** Builds the events of a job's life: accepted, progress, completed, failed, cancelled. */
public final class GenerationEvents {

    private GenerationEvents() {
    }

    public static GenerationEvent accepted(String jobId) {
        return base(jobId, EventType.ACCEPTED).build();
    }

    /**
     * Step {@code step} (1-based) of {@code totalSteps} done; {@code latentsKey} empty when no checkpoint was written,
     * {@code previewKey} when no preview was; {@code etaSeconds} the time the remaining steps should take.
     */
    public static GenerationEvent progress(String jobId, int step, int totalSteps, String latentsKey,
            String previewKey, double etaSeconds) {
        return base(jobId, EventType.PROGRESS)
                .setProgress(Progress.newBuilder().setStep(step).setTotalSteps(totalSteps).setLatentsKey(latentsKey)
                        .setPreviewKey(previewKey).setEtaSeconds(etaSeconds))
                .build();
    }

    public static GenerationEvent completed(String jobId, List<ImageResult> images, long seed, Timings timings) {
        return base(jobId, EventType.COMPLETED)
                .setCompleted(Completed.newBuilder().addAllImages(images).setSeed(seed).setTimings(timings))
                .build();
    }

    /** The job failed; {@code field} names the request field at fault, empty when the failure is not about one. */
    public static GenerationEvent failed(String jobId, String field, String reason) {
        return base(jobId, EventType.FAILED)
                .setFailure(Failure.newBuilder().setField(field).setReason(reason))
                .build();
    }

    public static GenerationEvent cancelled(String jobId) {
        return base(jobId, EventType.CANCELLED).build();
    }

    private static GenerationEvent.Builder base(String jobId, EventType type) {
        return GenerationEvent.newBuilder().setJobId(jobId).setType(type).setTimestampMs(System.currentTimeMillis())
                .setEventId(UUID.randomUUID().toString());
    }
}
