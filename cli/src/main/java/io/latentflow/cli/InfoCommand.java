package io.latentflow.cli;

import io.latentflow.core.image.PngText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latentflow info IMAGE.png}: how an image was made, from its PNG's {@code parameters} chunk. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Print the generation parameters a PNG carries (prompt, negative prompt, steps, sampler, CFG scale,"
        + " seed, size, model), as LatentFlow and AUTOMATIC1111 write them.")
public final class InfoCommand implements Callable<Integer> {

    @Parameters(paramLabel = "IMAGE.png", description = "a PNG file")
    Path image;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(image);
        } catch (IOException e) {
            spec.commandLine().getErr().println("error: IMAGE.png: cannot read " + image + ": " + e.getMessage());
            return 2;
        }
        Optional<String> parameters = PngText.read(bytes, PngText.PARAMETERS);
        if (parameters.isEmpty()) {
            spec.commandLine().getErr().println("error: IMAGE.png: " + image + " carries no generation parameters");
            return 1;
        }
        spec.commandLine().getOut().println(parameters.get());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
