package io.latentflow.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The API keys file of the local orchestrator, {@code <home>/api-keys}: made on first use with one client,
 * {@code local}, and a random key readable by the owner only, so that no default key exists anywhere.
 */
public final class LocalApiKeys {

    /** The client name of the key made for this machine. */
    public static final String CLIENT = "local";

    private LocalApiKeys() {
    }

    /** The keys file under {@code home}, made now when missing. */
    public static Path file(Path home) {
        Path file = home.resolve("api-keys");
        if (Files.isRegularFile(file)) {
            return file;
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String content = "# clients of the local orchestrator's gRPC API: NAME KEY [MAX_CONCURRENT_JOBS]\n"
            + CLIENT + " " + HexFormat.of().formatHex(random) + " 16\n";
        try {
            Files.createDirectories(home);
            Path temporary = Files.createTempFile(home, "api-keys", ".tmp");
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // a file system without POSIX permissions keeps its defaults
            }
            Files.writeString(temporary, content);
            Files.move(temporary, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** The key of the local client. */
    public static String key(Path home) {
        return key(home, CLIENT);
    }

    /** The key of {@code client} in the keys file under {@code home}. */
    public static String key(Path home, String client) {
        try {
            return Files.readAllLines(file(home)).stream().map(String::strip)
                .filter(line -> line.startsWith(client + " ")).map(line -> line.split("\\s+")[1]).findFirst()
                .orElseThrow(() -> new IllegalStateException("no client '" + client + "' in " + file(home)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(home), e);
        }
    }
}
