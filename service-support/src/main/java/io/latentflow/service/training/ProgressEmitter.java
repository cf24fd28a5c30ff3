package io.latentflow.service.training;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.train.TrainingListener;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Turns a run's {@link TrainingListener} calls into TrainProgress messages on its stream: progress, checkpoint,
 * sample, and completed at the end. Notes ride on the next message sent, so each reaches the caller once.
 */
final class ProgressEmitter implements TrainingListener {

    private static final Logger LOG = Logger.getLogger(ProgressEmitter.class);

    private final String runId;
    private final Consumer<TrainProgress> stream;
    private final long totalSteps;
    private final List<String> notes = new ArrayList<>();

    ProgressEmitter(String runId, Consumer<TrainProgress> stream, long totalSteps) {
        this.runId = runId;
        this.stream = stream;
        this.totalSteps = totalSteps;
    }

    @Override
    public void progress(long step, long total, Map<String, Double> losses, double learningRate,
                         double samplesPerSecond) {
        send(message("progress", step).putAllLosses(losses).setLearningRate(learningRate)
                .setSamplesPerSecond(samplesPerSecond));
    }

    @Override
    public void checkpoint(long step, String location) {
        LOG.infof("run %s: checkpoint of step %d/%d at %s", runId, step, totalSteps, location);
        send(message("checkpoint", step).setCheckpoint(location));
    }

    @Override
    public void sample(long step, NDArray latentsOrImages, boolean images) {
        TrainProgress.Builder message = message("sample", step);
        if (images) {
            message.setSampleImages(Tensors.toProto(latentsOrImages));
        } else {
            message.setSampleLatents(Tensors.toProto(latentsOrImages));
        }
        send(message);
    }

    @Override
    public void note(String message) {
        LOG.infof("run %s: %s", runId, message);
        notes.add(message);
    }

    /** The last message: where the trained components are. */
    void completed(String outputPrefix) {
        send(message("completed", totalSteps).setOutputPrefix(outputPrefix));
    }

    private TrainProgress.Builder message(String type, long step) {
        return TrainProgress.newBuilder().setType(type).setStep(step).setTotalSteps(totalSteps);
    }

    private void send(TrainProgress.Builder message) {
        message.addAllNotes(notes);
        notes.clear();
        stream.accept(message.build());
    }
}
