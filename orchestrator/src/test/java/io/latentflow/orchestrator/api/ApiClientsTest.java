package io.latentflow.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiClientsTest {

    @TempDir
    Path dir;

    private Path keys(String content) throws Exception {
        return Files.writeString(dir.resolve("api-keys"), content);
    }

    @Test
    void readsClientsAndFindsThemByKey() throws Exception {
        ApiClients clients = new ApiClients(ApiClients.read(keys(
                "# clients\nweb 0123456789abcdef0123 2\n\nbatch fedcba9876543210fedc\n")));
        assertEquals("web", clients.find("0123456789abcdef0123").orElseThrow().name());
        assertEquals(2, clients.find("0123456789abcdef0123").orElseThrow().maxConcurrentJobs());
        assertEquals(ApiClients.DEFAULT_MAX_CONCURRENT_JOBS,
                clients.find("fedcba9876543210fedc").orElseThrow().maxConcurrentJobs());
        assertTrue(clients.find("0123456789abcdef012").isEmpty(), "a prefix of a key is not the key");
        assertTrue(clients.find("").isEmpty());
    }

    @Test
    void countsRunningJobsAgainstTheClientsLimit() {
        ApiClients.Client web = new ApiClients.Client("web", "0123456789abcdef0123", 2);
        ApiClients clients = new ApiClients(List.of(web));
        assertTrue(clients.tryStart(web, "a"));
        assertTrue(clients.tryStart(web, "b"));
        assertTrue(clients.tryStart(web, "a"), "the same job again counts once");
        assertFalse(clients.tryStart(web, "c"), "a third job is over the limit");
        clients.finished(web, "a");
        assertTrue(clients.tryStart(web, "c"), "an ended job frees its place");
    }

    @Test
    void refusesToStartWithoutAClientOrWithAWeakKey() throws Exception {
        assertThrows(IllegalStateException.class, () -> ApiClients.read(dir.resolve("missing")));
        IllegalStateException empty = assertThrows(IllegalStateException.class,
                () -> ApiClients.read(keys("# nobody\n")));
        assertTrue(empty.getMessage().contains("names no client"), empty.getMessage());
        IllegalStateException weak = assertThrows(IllegalStateException.class,
                () -> ApiClients.read(keys("web short\n")));
        assertTrue(weak.getMessage().contains("line 1") && weak.getMessage().contains("shorter than 16"),
                weak.getMessage());
        IllegalStateException limit = assertThrows(IllegalStateException.class,
                () -> ApiClients.read(keys("web 0123456789abcdef0123 none\n")));
        assertTrue(limit.getMessage().contains("MAX_CONCURRENT_JOBS"), limit.getMessage());
    }
}
