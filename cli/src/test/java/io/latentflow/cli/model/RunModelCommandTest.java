package io.latentflow.cli.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.cli.Main;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** run-model and bench-model on the oracle models; outputs compared with the reference tensors (1e-4 absolute). */
class RunModelCommandTest {

    @TempDir
    Path tmp;

    private static Path oracle(String name) {
        return Path.of(System.getProperty("latentflow.oracle"), name);
    }

    /** Writes case {@code index} of an oracle's cases under their plain names; returns the expected outputs. */
    private Map<String, NDArray> writeCase(String oracle, int index, Path file, NDManager manager) {
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        Map<String, NDArray> expected = new LinkedHashMap<>();
        String prefix = "case" + index + ".";
        SafetensorsReader.read(oracle(oracle).resolve("cases.safetensors"), manager).forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                String name = k.substring(prefix.length());
                if (name.startsWith("expected_")) {
                    expected.put(name.substring("expected_".length()), v);
                } else {
                    inputs.put(name, v);
                }
            }
        });
        SafetensorsWriter.write(file, inputs);
        return expected;
    }

    private static float maxAbsError(NDArray a, NDArray b) {
        assertEquals(b.getShape(), a.getShape());
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void unetOutputMatchesOracle() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path in = tmp.resolve("in.safetensors");
            Path out = tmp.resolve("out.safetensors");
            Map<String, NDArray> expected = writeCase("unet_sdxl_tiny", 2, in, manager);
            int status = Main.commandLine().execute("run-model", "--model", oracle("unet_sdxl_tiny").toString(),
                    "--component", "unet", "--inputs", in.toString(), "--outputs", out.toString());
            assertEquals(0, status);
            NDArray result = SafetensorsReader.read(out, manager).get("out");
            assertTrue(maxAbsError(result, expected.get("out")) <= 1e-4f);
        }
    }

    @Test
    void vaeEncodeAndDecodeMatchOracle() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path in = tmp.resolve("in.safetensors");
            Map<String, NDArray> expected = writeCase("vae_tiny", 1, in, manager);
            Path encoded = tmp.resolve("encoded.safetensors");
            Path decoded = tmp.resolve("decoded.safetensors");
            assertEquals(0, Main.commandLine().execute("run-model", "--model", oracle("vae_tiny").toString(),
                    "--component", "vae-encode", "--inputs", in.toString(), "--outputs", encoded.toString()));
            assertEquals(0, Main.commandLine().execute("run-model", "--model", oracle("vae_tiny").toString(),
                    "--component", "vae-decode", "--inputs", in.toString(), "--outputs", decoded.toString()));
            Map<String, NDArray> enc = SafetensorsReader.read(encoded, manager);
            for (String name : new String[] {"latent_mean", "latent_logvar", "latent_std", "latent_sample"}) {
                assertTrue(maxAbsError(enc.get(name), expected.get(name)) <= 1e-4f, name);
            }
            NDArray dec = SafetensorsReader.read(decoded, manager).get("decoded");
            assertTrue(maxAbsError(dec, expected.get("decoded")) <= 1e-4f);
        }
    }

    @Test
    void textEncoderOutputsMatchOracle() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path in = tmp.resolve("ids.safetensors");
            Path out = tmp.resolve("text.safetensors");
            Map<String, NDArray> expected = writeCase("clip_text_proj_tiny", 0, in, manager);
            assertEquals(0, Main.commandLine().execute("run-model", "--model", oracle("clip_text_proj_tiny").toString(),
                    "--component", "text-encoder", "--inputs", in.toString(), "--outputs", out.toString()));
            Map<String, NDArray> result = SafetensorsReader.read(out, manager);
            for (String name : expected.keySet()) {
                assertTrue(result.containsKey(name), name + " missing from " + result.keySet());
                assertTrue(maxAbsError(result.get(name), expected.get(name)) <= 1e-4f, name);
            }
        }
    }

    @Test
    void missingInputIsNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path in = tmp.resolve("in.safetensors");
            SafetensorsWriter.write(in, Map.of("sample", manager.zeros(new ai.djl.ndarray.types.Shape(1, 4, 8, 8))));
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err));
            int status = cl.execute("run-model", "--model", oracle("pipeline_sd_tiny").toString(), "--component",
                    "unet", "--inputs", in.toString(), "--outputs", tmp.resolve("o.safetensors").toString());
            assertTrue(status != 0);
            assertTrue(err.toString().contains("timestep"), err.toString());
        }
    }

    @Test
    void benchModelPrintsTimesAndThroughput() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.commandLine().execute("bench-model", "--model", oracle("pipeline_sd_tiny").toString(),
                    "--component", "unet", "--batch", "2", "--size", "8x8", "--warmup", "1", "--iterations", "2");
        } finally {
            System.setOut(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("median forward") && text.contains("GFLOP/s") && text.contains("matmul ceiling"),
                text);
        // the profile: every kind with its share, the shares adding up to the whole pass, convolutions measured
        double shares = 0;
        for (OpProfile.Kind kind : OpProfile.Kind.values()) {
            Matcher row = Pattern.compile(Pattern.quote(kind.label)
                    + " +([0-9.]+) ms +([0-9.]+)%").matcher(text);
            assertTrue(row.find(), kind.label + " in\n" + text);
            shares += Double.parseDouble(row.group(2));
            if (kind == OpProfile.Kind.CONVOLUTION) {
                assertTrue(Double.parseDouble(row.group(1)) > 0, text);
            }
        }
        assertEquals(100, shares, 0.5, text);
        assertTrue(text.contains("convolution") && text.contains("most expensive ops"), text);
        assertTrue(text.matches("(?s).*peak memory +[1-9][0-9]* MB resident.*"), text);
    }
}
