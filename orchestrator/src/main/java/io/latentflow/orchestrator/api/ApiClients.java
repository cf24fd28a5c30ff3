package io.latentflow.orchestrator.api;

import io.latentflow.orchestrator.config.OrchestratorConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients of the public gRPC API, read from the keys file ({@code orchestrator.api.keys-file}): one client per
 * line, {@code NAME KEY [MAX_CONCURRENT_JOBS]}, {@code #} starts a comment. The orchestrator does not start without
 * one: there is no default key. Each client may have at most its number of jobs running through this orchestrator.
 */
@Singleton
public class ApiClients {

    /** Concurrent jobs of a client whose line gives no number. */
    public static final int DEFAULT_MAX_CONCURRENT_JOBS = 4;

    /** One client of the API. */
    public record Client(String name, String key, int maxConcurrentJobs) {
    }

    private final List<Client> clients;
    private final Map<String, Set<String>> running = new ConcurrentHashMap<>();

    @Inject
    ApiClients(OrchestratorConfig config) {
        this(read(Path.of(config.api().keysFile())));
    }

    ApiClients(List<Client> clients) {
        this.clients = List.copyOf(clients);
    }

    /** The client holding {@code key}; every key is compared in constant time. */
    public Optional<Client> find(String key) {
        byte[] given = key.getBytes(StandardCharsets.UTF_8);
        Client found = null;
        for (Client client : clients) {
            if (MessageDigest.isEqual(given, client.key().getBytes(StandardCharsets.UTF_8))) {
                found = client;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * The key an HTTP or gRPC caller presents: {@code Authorization: Bearer KEY}, {@code Authorization: Basic} with
     * the key as password (what AUTOMATIC1111 clients send when its API has a password), or {@code x-api-key: KEY}.
     */
    public static Optional<String> presentedKey(String authorization, String apiKeyHeader) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).strip());
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                        StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return colon < 0 ? Optional.empty() : Optional.of(pair.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(apiKeyHeader).map(String::strip);
    }

    /** Counts a job against its client's limit; false when the client has that many running already. */
    public synchronized boolean tryStart(Client client, String jobId) {
        Set<String> jobs = running.computeIfAbsent(client.name(), name -> ConcurrentHashMap.newKeySet());
        if (jobs.contains(jobId)) {
            return true;
        }
        if (jobs.size() >= client.maxConcurrentJobs()) {
            return false;
        }
        jobs.add(jobId);
        return true;
    }

    /** The job has ended: it no longer counts against its client. */
    public void finished(Client client, String jobId) {
        Set<String> jobs = running.get(client.name());
        if (jobs != null) {
            jobs.remove(jobId);
        }
    }

    /** The clients of a keys file; refuses a missing, unreadable or empty file, naming the line at fault. */
    static List<Client> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalStateException("orchestrator.api.keys-file: cannot read " + file + " (" + e
                    + "); the public API needs at least one client, a line 'NAME KEY [MAX_CONCURRENT_JOBS]'");
        }
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            String where = "orchestrator.api.keys-file: " + file + " line " + (i + 1) + ": ";
            if (parts.length < 2 || parts.length > 3) {
                throw new IllegalStateException(where + "expected 'NAME KEY [MAX_CONCURRENT_JOBS]'");
            }
            if (parts[1].length() < 16) {
                throw new IllegalStateException(where + "the key of " + parts[0] + " is shorter than 16 characters");
            }
            int max = DEFAULT_MAX_CONCURRENT_JOBS;
            if (parts.length == 3) {
                try {
                    max = Integer.parseInt(parts[2]);
                } catch (NumberFormatException e) {
                    max = 0;
                }
                if (max < 1) {
                    throw new IllegalStateException(where + "MAX_CONCURRENT_JOBS must be a number >= 1, got "
                            + parts[2]);
                }
            }
            clients.add(new Client(parts[0], parts[1], max));
        }
        if (clients.isEmpty()) {
            throw new IllegalStateException("orchestrator.api.keys-file: " + file + " names no client; the public API"
                    + " needs at least one, a line 'NAME KEY [MAX_CONCURRENT_JOBS]'");
        }
        return clients;
    }
}
