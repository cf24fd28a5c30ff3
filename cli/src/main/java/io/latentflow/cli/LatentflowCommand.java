package io.latentflow.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root of the {@code latentflow} command line: each subcommand is one thing a user does with the system. */
@Command(
    name = "latentflow",
    mixinStandardHelpOptions = true,
    versionProvider = LatentflowVersion.class,
    description = "Latent diffusion image generation on the JVM: local stack, services, jobs.",
    subcommands = {
        StackCommand.class,
        ServicesCommand.class,
        SubmitCommand.class,
        DemoCommand.class,
        DatasetCommand.class,
        ModelCommand.class,
        ShapesModelCommand.class,
        io.latentflow.cli.evaluate.EvaluateCommand.class,
        TrainCommand.class,
        RunsCommand.class,
        DlqCommand.class,
        io.latentflow.cli.generate.GenerateCommand.class,
        InfoCommand.class,
        JobsCommand.class,
        io.latentflow.cli.model.RunModelCommand.class,
        io.latentflow.cli.model.BenchModelCommand.class,
        io.latentflow.cli.model.BenchTrainCommand.class,
        BenchSystemCommand.class,
        HelpCommand.class
    })
public final class LatentflowCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
