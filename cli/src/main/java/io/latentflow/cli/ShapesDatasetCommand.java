package io.latentflow.cli;

import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.ShapesDataset;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latentflow dataset shapes}: writes the project's generated shapes dataset, optionally uploading it. */
@Command(
    name = "shapes",
    mixinStandardHelpOptions = true,
    description = {
        "Write a generated dataset of coloured shapes (\"a large red circle on a blue background, top left\").",
        "The same seed writes the same files. 20 (colour, shape, background) combinations are never generated;"
            + " they are held out for evaluation. With --name the folder is then uploaded as with 'dataset upload'."})
public final class ShapesDatasetCommand implements Callable<Integer> {

    @Option(names = "--count", paramLabel = "N", defaultValue = "1000",
            description = "number of images (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--size", paramLabel = "PX", defaultValue = "64",
            description = "image side in pixels (default ${DEFAULT-VALUE})")
    int sizePx;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "generator seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "also upload the folder as datasets/<name>/")
    String name;

    @Mixin
    DatasetUploadOptions upload;

    @Override
    public Integer call() throws Exception {
        if (name != null) {
            DatasetUploader.requireValidName(name);
        }
        Dataset dataset = ShapesDataset.write(out, count, sizePx, seed);
        System.out.println("wrote " + dataset.size() + " images and " + Dataset.METADATA_FILE + " to " + out
            + " (seed " + seed + ")");
        if (name != null) {
            upload.upload(out, name, sizePx);
        }
        return 0;
    }
}
