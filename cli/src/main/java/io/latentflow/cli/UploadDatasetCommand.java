package io.latentflow.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code latentflow dataset upload}: checks a local dataset folder, then copies it to datasets/<name>/. */
@Command(
    name = "upload",
    mixinStandardHelpOptions = true,
    description = {
        "Check a local dataset folder, then upload it to the object store as datasets/<name>/.",
        "The check: metadata.jsonl well formed, every image present, decodable and of --resolution, every caption"
            + " within the text encoder's token limit. The images go first and metadata.jsonl last, so a reader"
            + " never sees a half dataset."})
public final class UploadDatasetCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "dataset folder (images + metadata.jsonl)")
    Path dir;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "stored as datasets/<name>/")
    String name;

    @Option(names = "--resolution", paramLabel = "PX", defaultValue = "64",
            description = "side in pixels every image must have (default ${DEFAULT-VALUE}, the tiny-sd model's)")
    int resolutionPx;

    @Mixin
    DatasetUploadOptions upload;

    @Override
    public Integer call() throws Exception {
        upload.upload(dir, name, resolutionPx);
        return 0;
    }
}
