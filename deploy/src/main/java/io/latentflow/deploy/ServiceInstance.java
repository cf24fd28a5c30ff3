package io.latentflow.deploy;

/**
 * One process of a service: replica 0 of every service, and replicas 1, 2, ... of the denoiser when several run.
 *
 * @param service the application
 * @param replica 0 for the first process
 */
public record ServiceInstance(LatentflowService service, int replica) {

    /** The first (for most services, the only) process of {@code service}. */
    public static ServiceInstance of(LatentflowService service) {
        return new ServiceInstance(service, 0);
    }

    /** Process name (log file, pid file): the module, with the replica's number from the second one on. */
    public String name() {
        return replica == 0 ? service.module() : service.module() + "-" + (replica + 1);
    }
}
