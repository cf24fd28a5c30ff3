package io.latentflow.service.testing;

import io.grpc.ManagedChannel;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainerServiceGrpc;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** TrainerService calls as the orchestrator makes them, through a real channel, and views of what they stream. */
public final class TrainingCalls {

    /** Deadline of a whole tiny training run on a busy two-core machine. */
    public static final long RUN_DEADLINE_SECONDS = 300;

    private TrainingCalls() {
    }

    /** Every message of a Train call, until its stream ends (a failure throws the status). */
    public static List<TrainProgress> train(ManagedChannel channel, TrainJob job) {
        Iterator<TrainProgress> stream = TrainerServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(RUN_DEADLINE_SECONDS, TimeUnit.SECONDS).train(job);
        List<TrainProgress> messages = new ArrayList<>();
        stream.forEachRemaining(messages::add);
        return messages;
    }

    /** The messages of one type, in stream order. */
    public static List<TrainProgress> ofType(List<TrainProgress> messages, String type) {
        return messages.stream().filter(m -> m.getType().equals(type)).toList();
    }

    /** The steps of the messages of one type, in stream order. */
    public static List<Long> steps(List<TrainProgress> messages, String type) {
        return ofType(messages, type).stream().map(TrainProgress::getStep).toList();
    }

    /** Every note of the stream, in order. */
    public static List<String> notes(List<TrainProgress> messages) {
        return messages.stream().flatMap(m -> m.getNotesList().stream()).toList();
    }
}
