package io.latentflow.cli;

import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ImageResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latentflow submit}: one generation job through Kafka, following its events until it ends. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = {
        "Send one generation job through Kafka and print its events until it ends.",
        "The job is a protobuf JSON record on latentflow.generation.requests (key = job id); its events are read",
        "from latentflow.generation.events until it is completed, failed or cancelled.",
        "Exit status: 0 completed, 1 failed or cancelled, 4 no end within --timeout."})
public final class SubmitCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Option(names = "--no-wait", description = "only submit; print the job id and return")
    boolean noWait;

    @Option(names = "--dry-run", description = "print the job's JSON record and send nothing")
    boolean dryRun;

    @Option(names = "--json", description = "print events as protobuf JSON, one per line")
    boolean json;

    @Option(names = "--download", paramLabel = "DIR",
            description = "copy the result images, and the previews of --preview-every, into DIR")
    Path downloadDir;

    @Option(names = "--timeout", defaultValue = "900", description = "seconds to wait for the job to end (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        GenerationRequest request = job.toRequest();
        if (dryRun) {
            System.out.println(GenerationJobClient.toJson(request));
            return 0;
        }
        CliEnvironment environment = CliEnvironment.detect();
        try (GenerationJobClient client = new GenerationJobClient(environment.endpoints())) {
            client.submit(request);
            System.out.println("submitted  job " + request.getJobId());
            if (noWait) {
                return 0;
            }
            ImageDownloader downloader = downloadDir == null ? null : new ImageDownloader(environment.endpoints());
            try (EventPrinter printer = new EventPrinter(System.out, json, System.console() != null)) {
                Optional<GenerationEvent> end = client.follow(request.getJobId(),
                    Duration.ofSeconds(timeoutSeconds), event -> {
                        printer.accept(event);
                        String preview = event.getProgress().getPreviewKey();
                        if (downloader != null && !preview.isEmpty()) {
                            save(printer, downloader, preview, request.getJobId() + "-preview-"
                                    + event.getProgress().getStep() + ".png");
                        }
                    });
                if (end.isEmpty()) {
                    System.err.println("job " + request.getJobId() + " did not end within " + timeoutSeconds + " s");
                    return 4;
                }
                if (end.get().getType() != EventType.COMPLETED) {
                    return 1;
                }
                boolean saved = true;
                if (downloader != null) {
                    for (ImageResult image : end.get().getCompleted().getImagesList()) {
                        saved &= save(printer, downloader, image.getKey(),
                                request.getJobId() + "-" + Path.of(image.getKey()).getFileName());
                    }
                }
                return saved ? 0 : 1;
            }
        }
    }

    /** Copies an image into the download folder; false (and a line saying why) when it cannot. */
    private boolean save(EventPrinter printer, ImageDownloader downloader, String key, String fileName) {
        Path target = downloadDir.resolve(fileName);
        try {
            downloader.download(key, target);
            printer.note("saved      " + target.toAbsolutePath());
            return true;
        } catch (Exception e) {
            printer.note("cannot save " + key + ": " + e.getMessage());
            return false;
        }
    }
}
