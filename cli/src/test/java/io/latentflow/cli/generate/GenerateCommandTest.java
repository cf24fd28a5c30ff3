package io.latentflow.cli.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.image.PngFiles;
import io.latentflow.core.tensor.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.latentflow.cli.InfoCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code latentflow generate} on the tiny oracle pipeline: the PNG equals diffusers' output within one level. */
class GenerateCommandTest {
    private static Path oracle() {
        String p = System.getProperty("latentflow.oracle");
        return Path.of(p == null ? "../../shared/oracle" : p);
    }

    @Test
    void txt2imgFromGivenLatentsReproducesTheReferencePng(@TempDir Path dir) throws Exception {
        Path pipeline = oracle().resolve("pipeline_sd_tiny");
        Path latentsFile = dir.resolve("init.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList cases = NDList.decode(manager, Files.readAllBytes(pipeline.resolve("cases.safetensors")));
            NDArray init = cases.stream().filter(a -> a.getName().equals("case0.init_latents_given")).findFirst()
                    .orElseThrow();
            SafetensorsWriter.write(latentsFile, Map.of("latents", init));
        }
        Path out = dir.resolve("out.png");
        Path latentsOut = dir.resolve("final.safetensors");
        int code = new CommandLine(new GenerateCommand()).execute(
                "--model", pipeline.toString(), "--prompt", "a red circle on a blue background",
                "--negative-prompt", "", "--steps", "10", "--guidance", "7.5", "--sampler", "ddim",
                "--initial-latents", latentsFile.toString(), "--output-latents", latentsOut.toString(),
                "--out", out.toString());
        assertEquals(0, code);
        assertTrue(Files.size(latentsOut) > 0);
        BufferedImage ours = PngFiles.read(out);
        BufferedImage expected = PngFiles.read(pipeline.resolve("case0_txt2img.png"));
        int worst = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    worst = Math.max(worst, Math.abs(((ours.getRGB(x, y) >> shift) & 0xff)
                            - ((expected.getRGB(x, y) >> shift) & 0xff)));
                }
            }
        }
        assertTrue(worst <= 1, "PNG differs by " + worst);

        StringWriter info = new StringWriter();
        assertEquals(0, new CommandLine(new InfoCommand()).setOut(new PrintWriter(info)).execute(out.toString()));
        assertTrue(info.toString().startsWith("a red circle on a blue background\nSteps: 10, Sampler: DDIM, CFG scale:"
                + " 7.5, Seed: "), info.toString());
        assertTrue(info.toString().strip().endsWith(", Size: 64x64, Model: pipeline_sd_tiny"), info.toString());
        StringWriter refused = new StringWriter();
        assertEquals(1, new CommandLine(new InfoCommand()).setErr(new PrintWriter(refused))
                .execute(oracle().resolve("pipeline_sd_tiny").resolve("case0_txt2img.png").toString()));
        assertTrue(refused.toString().contains("carries no generation parameters"), refused.toString());
    }

    @Test
    void float16RunsTheUnetAndTextEncoderInHalfPrecisionCloseToFloat32(@TempDir Path dir) throws Exception {
        Path pipeline = oracle().resolve("pipeline_sd_tiny");
        float[] full = finalLatents(pipeline, dir.resolve("f32.safetensors"), "float32");
        float[] half = finalLatents(pipeline, dir.resolve("f16.safetensors"), "float16");
        float worst = 0;
        float largest = 0;
        for (int i = 0; i < full.length; i++) {
            worst = Math.max(worst, Math.abs(full[i] - half[i]));
            largest = Math.max(largest, Math.abs(full[i]));
        }
        // half precision rounds (so the runs differ) but stays within 2% of the float32 latents after 5 guided steps
        assertTrue(worst > 0, "float16 gave float32's latents bit for bit");
        assertTrue(worst < 0.02f * largest, "float16 latents differ by " + worst + " of " + largest);
    }

    private static float[] finalLatents(Path pipeline, Path latentsOut, String dtype) throws Exception {
        int code = new CommandLine(new GenerateCommand()).execute(
                "--model", pipeline.toString(), "--prompt", "a red circle", "--steps", "5", "--seed", "1",
                "--dtype", dtype, "--output-latents", latentsOut.toString(),
                "--out", latentsOut.resolveSibling(dtype + ".png").toString());
        assertEquals(0, code);
        try (NDManager manager = NDManager.newBaseManager()) {
            return NDList.decode(manager, Files.readAllBytes(latentsOut)).get(0).toFloatArray();
        }
    }

    @Test
    void invalidOptionsExitWithUsageErrorNamingTheOption(@TempDir Path dir) {
        String model = oracle().resolve("pipeline_sd_tiny").toString();
        String out = dir.resolve("x.png").toString();
        assertRefused("--sampler: unknown sampler 'heun'", "--model", model, "--prompt", "x", "--sampler", "heun",
                "--out", out);
        assertRefused("--eta: applies to sampler ddim only", "--model", model, "--prompt", "x", "--sampler", "euler",
                "--eta", "0.5", "--out", out);
        assertRefused("--width: must be a multiple of 8", "--model", model, "--prompt", "x", "--width", "60",
                "--out", out);
    }

    private static void assertRefused(String message, String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new GenerateCommand()).execute(args);
        } finally {
            System.setErr(original);
        }
        assertEquals(2, code);
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("error: " + message), printed);
    }
}
