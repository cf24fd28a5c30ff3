package io.latentflow.denoiser.grpc;

import io.latentflow.core.train.TrainingSettings;
import io.latentflow.denoiser.config.DenoiserConfig;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainerService;
import io.latentflow.service.training.TrainingWorker;
import io.quarkus.grpc.GrpcService;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * gRPC TrainerService for unet and refiner runs: the job read by {@link TrainJobReader} into core's UNet training
 * run, run and streamed by the shared {@link TrainingWorker}.
 */
@GrpcService
public class UNetTrainerGrpcService implements TrainerService {

    private final TrainingWorker worker;

    @Inject
    public UNetTrainerGrpcService(DenoiserConfig config) {
        this.worker = new TrainingWorker("denoiser", Set.of(TrainingSettings.Kind.UNET, TrainingSettings.Kind.REFINER),
                TrainJobReader::prepare, config.models(), config.store(), config.training());
    }

    @Override
    public Multi<TrainProgress> train(TrainJob job) {
        return worker.train(job);
    }

    void close(@Observes ShutdownEvent event) {
        worker.close();
    }
}
