package io.latentflow.cli.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The same component architecture in PyTorch eager mode, for a side-by-side figure: a bundled script builds it from
 * the config.json with random weights and times it with the same batch, input size, tokens and threads.
 */
final class PytorchBaseline {

    private static final String SCRIPT = "pytorch_bench.py";
    private static final Pattern RESULT =
            Pattern.compile("median_ms ([0-9.]+) min_ms ([0-9.]+) threads (\\d+) torch (\\S+) params (\\d+)");
    private static final long TIMEOUT_MINUTES = 60;

    /**
     * Median and fastest forward of the PyTorch run, with its thread count, torch version and the scalars in its
     * parameters (the same architecture has the same count).
     */
    record Result(double medianMs, double minMs, int threads, String torchVersion, long parameters) {
    }

    private PytorchBaseline() {
    }

    static Result measure(String python, String component, Path config, int batch, int height, int width, int threads,
            int warmup, int iterations) {
        Path script = null;
        try {
            script = Files.createTempFile("latentflow-", "-" + SCRIPT);
            try (InputStream source = PytorchBaseline.class.getResourceAsStream(SCRIPT)) {
                Files.write(script, source.readAllBytes());
            }
            Process process = new ProcessBuilder(List.of(python, script.toString(), "--component", component,
                    "--config", config.toString(),
                    "--batch", Integer.toString(batch), "--height", Integer.toString(height),
                    "--width", Integer.toString(width), "--tokens", Integer.toString(UnetRunner.TEXT_TOKENS),
                    "--threads", Integer.toString(threads), "--warmup", Integer.toString(warmup),
                    "--iterations", Integer.toString(iterations)))
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("--against-pytorch: the PyTorch run took over " + TIMEOUT_MINUTES
                        + " minutes");
            }
            Matcher result = RESULT.matcher(output);
            if (process.exitValue() != 0 || !result.find()) {
                throw new IllegalStateException("--against-pytorch needs " + python + " with torch (Debian:"
                        + " apt-get install python3-torch); the run said: " + output.strip());
            }
            return new Result(Double.parseDouble(result.group(1)), Double.parseDouble(result.group(2)),
                    Integer.parseInt(result.group(3)), result.group(4), Long.parseLong(result.group(5)));
        } catch (IOException e) {
            throw new IllegalStateException("--against-pytorch: cannot run " + python + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (script != null) {
                script.toFile().delete();
            }
        }
    }
}
