package io.latentflow.orchestrator.job;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Object keys of a job's files in the bucket. */
public final class JobKeys {

    private static final Pattern JOB_FILE = Pattern.compile("jobs/([^/]+)/.+");
    private static final Pattern LATENTS_STEP = Pattern.compile("jobs/[^/]+/latents/step-(\\d{1,9})\\.safetensors");

    private JobKeys() {
    }

    /** jobs/&lt;id&gt;/job.json: the request with every default written out. */
    public static String request(String jobId) {
        return "jobs/" + jobId + "/job.json";
    }

    /** jobs/&lt;id&gt;/result.json: the completed event, written once the images are stored. */
    public static String result(String jobId) {
        return "jobs/" + jobId + "/result.json";
    }

    /** jobs/&lt;id&gt;/result.published: an empty marker, written once Kafka has the completed event. */
    public static String resultPublished(String jobId) {
        return "jobs/" + jobId + "/result.published";
    }

    /** jobs/&lt;id&gt;/cancel.requested: an empty marker, written when a client cancels the job on any orchestrator. */
    public static String cancelRequest(String jobId) {
        return "jobs/" + jobId + "/cancel.requested";
    }

    /** jobs/&lt;id&gt;/images/&lt;n&gt;.png, n from 0. */
    public static String image(String jobId, int n) {
        return "jobs/" + jobId + "/images/" + n + ".png";
    }

    /** jobs/&lt;id&gt;/latents/step-&lt;n&gt;.safetensors, n the 1-based step just finished. */
    public static String latents(String jobId, int step) {
        return "jobs/" + jobId + "/latents/step-" + step + ".safetensors";
    }

    /** The preview PNG of a job after {@code step} steps. */
    public static String preview(String jobId, int step) {
        return "jobs/" + jobId + "/previews/step-" + step + ".png";
    }

    /** jobs/&lt;id&gt;/latents/: the prefix of a job's latents checkpoints. */
    public static String latentsPrefix(String jobId) {
        return "jobs/" + jobId + "/latents/";
    }

    /** The job whose files hold {@code key} (jobs/&lt;id&gt;/...), empty for a key outside jobs/. */
    public static Optional<String> jobOf(String key) {
        Matcher matcher = JOB_FILE.matcher(key);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** The step of a latents checkpoint key of this job, empty for any other key. */
    public static Optional<Integer> latentsStep(String jobId, String key) {
        Matcher matcher = LATENTS_STEP.matcher(key);
        if (!key.startsWith(latentsPrefix(jobId)) || !matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(matcher.group(1)));
    }
}
