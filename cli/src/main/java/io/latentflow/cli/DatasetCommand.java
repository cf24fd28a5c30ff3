package io.latentflow.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code latentflow dataset}: make training datasets and put them where training jobs read them. */
@Command(
    name = "dataset",
    mixinStandardHelpOptions = true,
    description = "Training datasets: folders of images with a metadata.jsonl of captions (the Hugging Face"
        + " imagefolder layout), kept in the object store under datasets/<name>/.",
    subcommands = {ShapesDatasetCommand.class, UploadDatasetCommand.class})
public final class DatasetCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
