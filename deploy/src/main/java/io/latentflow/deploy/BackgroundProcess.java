package io.latentflow.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A JVM that LatentFlow runs in the background, found again by its pid file and recognised by a marker system
 * property on its command line (so that a recycled pid never makes us signal a stranger).
 */
public final class BackgroundProcess {

    /** System property that makes started processes leave the caller's session. */
    public static final String DETACH_PROPERTY = "latentflow.detach";

    /** setsid(1), when the system has it. */
    private static final Optional<Path> SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
        .map(Path::of)
        .filter(Files::isExecutable)
        .findFirst();

    private final String name;
    private final Path pidFile;
    private final Path logFile;

    /** A process called {@code name} with its pid file under {@code runDir} and its log under {@code logDir}. */
    public BackgroundProcess(String name, Path runDir, Path logDir) {
        this.name = name;
        this.pidFile = runDir.resolve(name + ".pid");
        this.logFile = logDir.resolve(name + ".log");
    }

    public String name() {
        return name;
    }

    public Path pidFile() {
        return pidFile;
    }

    public Path logFile() {
        return logFile;
    }

    /** The system property that marks this process's command line. */
    String marker() {
        return "-Dlatentflow.component=" + name;
    }

    /** The process recorded in the pid file, when it is alive and carries this component's marker. */
    public Optional<ProcessHandle> running() {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .filter(handle -> handle.info().commandLine().map(line -> line.contains(marker())).orElse(true));
    }

    /**
     * Starts {@code java <jvmOptions> <marker> <arguments>} with stdout and stderr appended to the log file, and
     * records its pid. With the system property {@code latentflow.detach=true} (the ./latentflow launcher sets it)
     * the process runs in a session of its own (through setsid, which execs in place), so that Ctrl-C or a hang-up
     * in the terminal that started it does not reach it; without it (tests) it stays in the caller's process group.
     */
    public ProcessHandle startJava(List<String> jvmOptions, List<String> arguments, Path workDir) throws IOException {
        return startJava(jvmOptions, arguments, workDir, Map.of());
    }

    /** As {@link #startJava(List, List, Path)}, with extra environment variables for the child. */
    public ProcessHandle startJava(List<String> jvmOptions, List<String> arguments, Path workDir,
            Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>();
        if (Boolean.getBoolean(DETACH_PROPERTY)) {
            SETSID.ifPresent(setsid -> command.add(setsid.toString()));
        }
        command.add(javaExecutable().toString());
        command.addAll(jvmOptions);
        command.add(marker());
        command.addAll(arguments);
        Files.createDirectories(pidFile.getParent());
        Files.createDirectories(logFile.getParent());
        Files.createDirectories(workDir);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        Files.writeString(pidFile, Long.toString(process.pid()) + System.lineSeparator(), StandardCharsets.UTF_8);
        return process.toHandle();
    }

    /**
     * Stops the process: SIGTERM, then SIGKILL when it has not exited after {@code grace}. Removes the pid file.
     * Returns whether a live process was found.
     */
    public boolean stop(Duration grace) throws InterruptedException {
        return !stopAll(List.of(this), grace).isEmpty();
    }

    /**
     * Stops several processes at once: SIGTERM to every one, then waits for all under one deadline and kills
     * those still alive after {@code grace}. Removes their pid files; returns the names of those that were running.
     */
    public static List<String> stopAll(List<BackgroundProcess> processes, Duration grace) throws InterruptedException {
        Map<BackgroundProcess, ProcessHandle> running = new LinkedHashMap<>();
        for (BackgroundProcess process : processes) {
            process.running().ifPresent(handle -> running.put(process, handle));
        }
        running.values().forEach(ProcessHandle::destroy);
        long deadlineNanos = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : running.values()) {
            long leftMillis = Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
            try {
                handle.onExit().get(leftMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                handle.destroyForcibly();
                handle.onExit().join();
            } catch (ExecutionException e) {
                throw new IllegalStateException("waiting for pid " + handle.pid(), e);
            }
        }
        List<String> stopped = new ArrayList<>();
        for (BackgroundProcess process : processes) {
            try {
                Files.deleteIfExists(process.pidFile);
            } catch (IOException e) {
                throw new IllegalStateException("cannot remove " + process.pidFile, e);
            }
            if (running.containsKey(process)) {
                stopped.add(process.name);
            }
        }
        return stopped;
    }

    /** Current size of the log in bytes (0 when there is none yet). */
    public long logSize() {
        try {
            return Files.isRegularFile(logFile) ? Files.size(logFile) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Whether the log, from byte {@code offset} on (at most its last 16 MiB), contains {@code text}. */
    public boolean logContains(String text, long offset) {
        try (SeekableByteChannel channel = Files.newByteChannel(logFile)) {
            long size = channel.size();
            if (size <= offset) {
                return false;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size - offset, 16 << 20));
            channel.position(size - buffer.capacity());
            int read;
            do {
                read = channel.read(buffer);
            } while (read > 0 && buffer.hasRemaining());
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** The last {@code lines} lines of the log without stack frames ("at ..." lines), for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.ISO_8859_1).stream()
                .filter(line -> !line.stripLeading().startsWith("at ") && !line.stripLeading().startsWith("... "))
                .toList();
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + logFile + ")";
        }
    }

    /** The java launcher of the running JVM, so children run on the same JDK. */
    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
