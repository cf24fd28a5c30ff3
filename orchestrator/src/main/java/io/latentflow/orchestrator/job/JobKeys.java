package io.latentflow.orchestrator.job;

/** Object keys of a job's files in the bucket. */
public final class JobKeys {

    private JobKeys() {
    }

    /** jobs/&lt;id&gt;/job.json: the request with every default written out. */
    public static String request(String jobId) {
        return "jobs/" + jobId + "/job.json";
    }

    /** jobs/&lt;id&gt;/images/&lt;n&gt;.png, n from 0. */
    public static String image(String jobId, int n) {
        return "jobs/" + jobId + "/images/" + n + ".png";
    }

    /** jobs/&lt;id&gt;/latents/step-&lt;n&gt;.safetensors, n the 1-based step just finished. */
    public static String latents(String jobId, int step) {
        return "jobs/" + jobId + "/latents/step-" + step + ".safetensors";
    }
}
