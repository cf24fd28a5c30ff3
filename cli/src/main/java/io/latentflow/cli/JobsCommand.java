package io.latentflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.deploy.LatentflowService;
import io.latentflow.deploy.LocalApiKeys;
import io.latentflow.deploy.ServicesConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code latentflow jobs}: the jobs the orchestrators know, one job's status, a cancel, through the REST API with
 * the local client's key (LATENTFLOW_ORCHESTRATOR_URL and LATENTFLOW_API_KEY point elsewhere).
 */
@Command(name = "jobs", mixinStandardHelpOptions = true,
    description = "List the recent jobs, show one, cancel one (through the orchestrator's REST API).",
    subcommands = {JobsCommand.ListJobs.class, JobsCommand.Show.class, JobsCommand.Cancel.class,
        HelpCommand.class})
public final class JobsCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void run() {
        System.out.println("latentflow jobs list|show ID|cancel ID; see --help");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The recent jobs, latest first.")
    static final class ListJobs implements Callable<Integer> {

        @Option(names = "--limit", defaultValue = "20", description = "at most this many (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() throws Exception {
            for (JsonNode job : rest("GET", "/api/v1/jobs?limit=" + limit)) {
                JsonNode event = job.path("lastEvent");
                String detail = event.has("progress")
                        ? "step " + event.path("progress").path("step").asInt() + "/"
                        + event.path("progress").path("totalSteps").asInt()
                        : event.has("failure") ? event.path("failure").path("field").asText() + ": "
                        + event.path("failure").path("reason").asText()
                        : event.has("completed") ? event.path("completed").path("images").size() + " image(s)" : "";
                System.out.printf("%-38s %-10s %-14s %s%n", job.path("jobId").asText(),
                        job.path("state").asText("SUBMITTED").toLowerCase(), detail,
                        job.path("request").path("prompt").asText());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One job's request, state and last event.")
    static final class Show implements Callable<Integer> {

        @Parameters(paramLabel = "ID", description = "the job id")
        String jobId;

        @Override
        public Integer call() throws Exception {
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                    rest("GET", "/api/v1/jobs/" + encode(jobId))));
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job between two steps.")
    static final class Cancel implements Callable<Integer> {

        @Parameters(paramLabel = "ID", description = "the job id")
        String jobId;

        @Override
        public Integer call() throws Exception {
            boolean cancelled = rest("POST", "/api/v1/jobs/" + encode(jobId) + "/cancel").path("cancelled")
                    .asBoolean();
            System.out.println(cancelled ? "cancelling job " + jobId : "job " + jobId + " is not running");
            return cancelled ? 0 : 1;
        }
    }

    /** A REST call to the orchestrator; a refusal ends the command with its field and reason. */
    static JsonNode rest(String method, String path) throws Exception {
        ServicesConfig services = CliEnvironment.detect().services().config();
        String base = System.getenv().getOrDefault("LATENTFLOW_ORCHESTRATOR_URL",
                "http://127.0.0.1:" + services.port(LatentflowService.ORCHESTRATOR));
        String key = System.getenv().getOrDefault("LATENTFLOW_API_KEY", LocalApiKeys.key(services.home()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (response.statusCode() >= 400) {
            throw new IllegalArgumentException(body.path("field").asText("").isEmpty()
                    ? body.path("reason").asText(response.body())
                    : body.path("field").asText() + ": " + body.path("reason").asText());
        }
        return body;
    }

    private static String encode(String jobId) {
        return URLEncoder.encode(jobId, StandardCharsets.UTF_8);
    }
}
