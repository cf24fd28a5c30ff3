package io.latentflow.cli;

import io.latentflow.proto.Completed;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.ImageResult;
import java.io.PrintStream;
import java.util.function.Consumer;

/** Prints job events one line each, either readable or as protobuf JSON. */
final class EventPrinter implements Consumer<GenerationEvent> {

    private final PrintStream out;
    private final boolean json;

    EventPrinter(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    @Override
    public void accept(GenerationEvent event) {
        out.println(json ? ProtoJson.line(event) : describe(event));
        out.flush();
    }

    static String describe(GenerationEvent event) {
        String type = event.getType().name().toLowerCase();
        return switch (event.getType()) {
            case PROGRESS -> String.format("%-10s step %d/%d%s", type, event.getProgress().getStep(),
                event.getProgress().getTotalSteps(),
                event.getProgress().getLatentsKey().isEmpty() ? "" : "  latents " + event.getProgress().getLatentsKey());
            case COMPLETED -> String.format("%-10s %s", type, describe(event.getCompleted()));
            case FAILED -> String.format("%-10s %s%s", type,
                event.getFailure().getField().isEmpty() ? "" : event.getFailure().getField() + ": ",
                event.getFailure().getReason());
            default -> String.format("%-10s job %s", type, event.getJobId());
        };
    }

    private static String describe(Completed completed) {
        StringBuilder line = new StringBuilder();
        for (ImageResult image : completed.getImagesList()) {
            line.append(String.format("%s (%dx%d, %d bytes, seed %d)  ", image.getKey(), image.getWidth(),
                image.getHeight(), image.getSizeBytes(), image.getSeed()));
        }
        var timings = completed.getTimings();
        line.append(String.format("text encoder %d ms, denoise %d ms, vae %d ms, total %d ms",
            timings.getTextEncoderMs(), timings.getDenoiseMs(), timings.getVaeMs(), timings.getTotalMs()));
        return line.toString();
    }
}
