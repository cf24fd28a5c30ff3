package io.latentflow.vae.grpc;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.core.train.VaeTrainingRun;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.AutoencoderKlConfig;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainerService;
import io.latentflow.service.training.TrainingContext;
import io.latentflow.service.training.TrainingRecipe;
import io.latentflow.service.training.TrainingWorker;
import io.latentflow.vae.config.VaeConfig;
import io.quarkus.grpc.GrpcService;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * gRPC TrainerService for vae runs: the base model's VAE (or fresh weights of its architecture) trained on the
 * dataset images with its PatchGAN discriminator, through the shared {@link TrainingWorker}.
 */
@GrpcService
public class VaeTrainerGrpcService implements TrainerService {

    private final TrainingWorker worker;

    @Inject
    public VaeTrainerGrpcService(VaeConfig config) {
        this.worker = new TrainingWorker("vae", Set.of(TrainingSettings.Kind.VAE), VaeTrainerGrpcService::prepare,
                config.models(), config.store(), config.training());
    }

    @Override
    public Multi<TrainProgress> train(TrainJob job) {
        return worker.train(job);
    }

    void close(@Observes ShutdownEvent event) {
        worker.close();
    }

    private static TrainingRecipe.PreparedRun prepare(TrainingContext context) {
        Path vae = context.baseModel().component("vae");
        Map<String, NDArray> weights = context.startingWeights("vae", context.settings().seed(),
                config -> AutoencoderKl.parameterShapes(AutoencoderKlConfig.load(config)));
        NDArray images = context.images();
        return new VaeTrainingRun(context.settings(), vae.resolve("config.json"), weights, images,
                context.checkpoints(), context.listener(), context.workDir())::run;
    }
}
