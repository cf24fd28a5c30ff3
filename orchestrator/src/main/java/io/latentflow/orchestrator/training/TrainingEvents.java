package io.latentflow.orchestrator.training;

import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainingEvent;

import java.util.List;
import java.util.UUID;

/** The events of a training run, each with a fresh id for consumers to deduplicate redeliveries. */
public final class TrainingEvents {

    public static final String ACCEPTED = "accepted";
    public static final String PROGRESS = "progress";
    public static final String CHECKPOINT = "checkpoint";
    public static final String SAMPLE = "sample";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    private TrainingEvents() {
    }

    /** True for completed, failed and cancelled. */
    public static boolean isTerminal(String type) {
        return COMPLETED.equals(type) || FAILED.equals(type) || CANCELLED.equals(type);
    }

    static TrainingEvent.Builder event(String runId, String type) {
        return TrainingEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setType(type)
                .setTimestampMs(System.currentTimeMillis());
    }

    public static TrainingEvent accepted(String runId, long totalSteps) {
        return event(runId, ACCEPTED).setTotalSteps(totalSteps).build();
    }

    public static TrainingEvent failed(String runId, String field, String error) {
        return event(runId, FAILED).setField(field).setError(error).build();
    }

    public static TrainingEvent cancelled(String runId, long step) {
        return event(runId, CANCELLED).setStep(step).build();
    }

    public static TrainingEvent completed(String runId, long step, ModelRef published, List<String> notes) {
        return event(runId, COMPLETED).setStep(step).setTotalSteps(step).setPublished(published).addAllNotes(notes)
                .build();
    }

    /** A progress row from the service's report, with the ETA from its throughput. */
    public static TrainingEvent progress(String runId, TrainProgress p, int samplesPerStep) {
        double remaining = p.getTotalSteps() - p.getStep();
        double eta = p.getSamplesPerSecond() > 0 ? remaining * samplesPerStep / p.getSamplesPerSecond() : 0;
        return event(runId, PROGRESS).setStep(p.getStep()).setTotalSteps(p.getTotalSteps())
                .putAllLosses(p.getLossesMap()).setLearningRate(p.getLearningRate())
                .setSamplesPerSecond(p.getSamplesPerSecond()).setEtaSeconds(eta).addAllNotes(p.getNotesList()).build();
    }

    public static TrainingEvent checkpoint(String runId, long step, long total, String key) {
        return event(runId, CHECKPOINT).setStep(step).setTotalSteps(total).setCheckpoint(key).build();
    }

    public static TrainingEvent sample(String runId, long step, long total, List<String> keys) {
        return event(runId, SAMPLE).setStep(step).setTotalSteps(total).addAllSamples(keys).build();
    }
}
