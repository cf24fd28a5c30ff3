package io.latentflow.orchestrator.api;

import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.job.JobIntake;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.orchestrator.messaging.RequestPublisher;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * How every public API (gRPC, REST, the AUTOMATIC1111 endpoints, the web page) submits a job: it gets an id, counts
 * against its client's limit of concurrent jobs until its final event, and is written to
 * latentflow.generation.requests, the same path as any Kafka producer's job.
 */
@ApplicationScoped
public class JobSubmissions {

    private static final Logger LOG = Logger.getLogger(JobSubmissions.class);

    /** The client has as many jobs running as it may. */
    public static final class LimitReachedException extends RuntimeException {
        LimitReachedException(ApiClients.Client client) {
            super("client " + client.name() + " has " + client.maxConcurrentJobs()
                    + " jobs running, its limit; submit again when one has ended");
        }
    }

    private final RequestPublisher requests;
    private final JobTracker tracker;
    private final ApiClients clients;
    private final JobIntake intake;
    private final JobLookup lookup;

    @Inject
    JobSubmissions(RequestPublisher requests, JobTracker tracker, ApiClients clients, JobIntake intake,
            JobLookup lookup) {
        this.requests = requests;
        this.tracker = tracker;
        this.clients = clients;
        this.intake = intake;
        this.lookup = lookup;
    }

    /**
     * The request as {@code client}'s job: its {@code client} set (whatever the caller sent), a fresh job id when it
     * names none. An id the caller names is refused (InvalidRequestException on {@code job_id}) when it names a job
     * that is not the client's to see: submitted, the client would hear that job's events.
     */
    public GenerationRequest ownedBy(ApiClients.Client client, GenerationRequest request) {
        GenerationRequest.Builder job = request.toBuilder().setClient(client.name());
        String jobId = request.getJobId();
        if (jobId.isEmpty()) {
            return job.setJobId(UUID.randomUUID().toString()).build();
        }
        if (lookup.status(jobId).filter(known -> !JobLookup.visibleTo(client, known)).isPresent()) {
            throw new InvalidRequestException("job_id", "'" + jobId + "' already names another request; submit"
                    + " this one under a new job id");
        }
        return job.build();
    }

    /**
     * Checks the request as the consumer will (an InvalidRequestException names the field at fault); what
     * only the job's run can find (an unknown model, a missing init image) comes as its failed event.
     */
    public void validate(GenerationRequest job) {
        intake.validate(job);
    }

    /**
     * Admits the job ({@link #ownedBy} {@code client}) and writes it to Kafka; {@code events} (null: none) hears its
     * events from then on. Throws {@link LimitReachedException} when the client has its limit of jobs running.
     *
     * @return the job's subscription to close when no longer listening, and the Kafka write
     */
    public Submitted submit(ApiClients.Client client, GenerationRequest job, Consumer<GenerationEvent> events) {
        String jobId = job.getJobId();
        admit(client, jobId);
        AutoCloseable subscription = events == null ? () -> { } : tracker.subscribe(jobId, events);
        tracker.track(jobId, job);
        return new Submitted(subscription, requests.publish(job));
    }

    /** A submitted job: its event subscription and the write of its request to Kafka. */
    public record Submitted(AutoCloseable subscription, CompletionStage<Void> written) {
    }

    private void admit(ApiClients.Client client, String jobId) {
        if (!clients.tryStart(client, jobId)) {
            throw new LimitReachedException(client);
        }
        AutoCloseable[] subscription = new AutoCloseable[1];
        subscription[0] = tracker.subscribe(jobId, event -> {
            if (JobTracker.isTerminal(event.getType())) {
                clients.finished(client, jobId);
                closeQuietly(subscription[0], jobId);
            }
        });
    }

    /** Closes an event subscription, logging (never throwing) a failure. */
    public static void closeQuietly(AutoCloseable subscription, String jobId) {
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.debugf(e, "closing an event subscription of job %s", jobId);
        }
    }
}
