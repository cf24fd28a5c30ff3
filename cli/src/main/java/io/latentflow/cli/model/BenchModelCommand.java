package io.latentflow.cli.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.nn.FlopCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code latentflow bench-model}: median forward time of a component, the GFLOP/s it achieves (convolutions, linear
 * layers and attention products), and beside it the GFLOP/s of a large plain matmul on the same engine as a ceiling;
 * then where the time goes by kind of op (libtorch's profiler) and the resident memory a forward pass peaks at.
 */
@Command(
    name = "bench-model",
    mixinStandardHelpOptions = true,
    description = {
        "Benchmark forward passes of a model component on random inputs.",
        "--size is the spatial size of the component's own input: latent size for unet and vae-decode, image size",
        "for vae-encode; the text encoder always takes full-length token sequences."})
public final class BenchModelCommand implements Callable<Integer> {

    static final int CEILING_MATMUL_SIZE = 1024;

    @Mixin
    ModelSelection selection;

    @Option(names = "--batch", defaultValue = "1", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--size", defaultValue = "64x64", description = "input height x width (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed passes first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--iterations", defaultValue = "10", description = "timed passes (default ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--against-pytorch", arity = "0..1", fallbackValue = "python3", paramLabel = "PYTHON",
            description = "also time the same architecture in PyTorch eager mode (random weights, same batch, size"
                    + " and threads) with this interpreter, which needs torch (default python3)")
    String againstPytorch;

    @Override
    public Integer call() {
        String[] hw = size.toLowerCase().split("x");
        if (hw.length != 2) {
            throw new IllegalArgumentException("--size must be HxW, e.g. 64x64, got " + size);
        }
        int height = Integer.parseInt(hw[0].trim());
        int width = Integer.parseInt(hw[1].trim());
        try (ComponentRunner runner = selection.open(); NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> inputs = runner.exampleInputs(manager, batch, height, width);
            for (int i = 0; i < warmup; i++) {
                close(runner.run(inputs));
            }
            FlopCounter.Counted<Map<String, NDArray>> counted = FlopCounter.measure(() -> runner.run(inputs));
            close(counted.value());
            double[] ms = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long started = System.nanoTime();
                close(runner.run(inputs));
                ms[i] = (System.nanoTime() - started) / 1e6;
            }
            double median = median(ms);
            double gflops = counted.flops() / 1e9;
            double ceiling = matmulCeiling(selection.options());
            long before = ResidentMemory.current().orElse(0);
            boolean peakReset = ResidentMemory.resetPeak();
            close(runner.run(inputs));
            long peak = ResidentMemory.peak().orElse(0);
            OpProfile.Breakdown profile = OpProfile.measure(() -> close(runner.run(inputs)), iterations);
            System.out.printf("%s %s batch %d size %dx%d on %s %s%n", selection.component, selection.model, batch,
                    height, width, selection.options().device(), selection.options().dataType());
            System.out.printf("  median forward   %.2f ms (min %.2f, max %.2f, %d runs)%n", median,
                    Arrays.stream(ms).min().orElse(0), Arrays.stream(ms).max().orElse(0), iterations);
            System.out.printf("  work per forward %.3f GFLOP (conv, linear, attention)%n", gflops);
            System.out.printf("  achieved         %.2f GFLOP/s%n", gflops / (median / 1e3));
            System.out.printf("  matmul ceiling   %.2f GFLOP/s (%dx%d float matmul, same engine)%n", ceiling,
                    CEILING_MATMUL_SIZE, CEILING_MATMUL_SIZE);
            print(profile);
            if (againstPytorch != null) {
                compareWithPytorch(runner, height, width, median);
            }
            if (peak > 0) {
                System.out.printf("  peak memory      %.0f MB resident during a forward (%s%.0f MB over the %.0f MB"
                        + " before it)%n", peak / MB, peakReset ? "" : "since start; ", Math.max(0, peak - before) / MB,
                        before / MB);
            }
            return 0;
        }
    }

    private static final double MB = 1024.0 * 1024.0;

    private static final int TOP_OPS = 8;

    private void compareWithPytorch(ComponentRunner runner, int height, int width, double medianMs) {
        if (runner instanceof UnetRunner unet && unet.usesTextTime()) {
            throw new IllegalArgumentException("--against-pytorch compares SD 1.x / 2.x UNets (no SDXL added"
                    + " conditioning)");
        }
        int threads = JniUtils.getNumThreads();
        PytorchBaseline.Result torch = PytorchBaseline.measure(againstPytorch,
                selection.component.toLowerCase(Locale.ROOT), runner.configFile(), batch, height, width, threads,
                warmup, iterations);
        if (torch.parameters() != runner.parameterCount()) {
            throw new IllegalStateException("--against-pytorch: the PyTorch model has " + torch.parameters()
                    + " parameters where this " + selection.component + " has " + runner.parameterCount()
                    + "; it is not the same architecture, so its time is no baseline");
        }
        System.out.printf("  PyTorch %s eager, same architecture (%d parameters) and inputs, %d threads: median %.2f"
                + " ms (min %.2f)%n",
                torch.torchVersion(), torch.parameters(), torch.threads(), torch.medianMs(), torch.minMs());
        System.out.printf("  LatentFlow / PyTorch  %.2fx (median forward, measured in this run)%n",
                medianMs / torch.medianMs());
    }

    /** Milliseconds per forward of each kind of op and of the most expensive ops, with their share of the pass. */
    private static void print(OpProfile.Breakdown profile) {
        double total = profile.byKind().values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf("  time by kind of op (libtorch profiler, %.2f ms per forward under it):%n", total);
        profile.byKind().forEach((kind, ms) -> System.out.printf("    %-42s %8.2f ms %5.1f%%%n", kind.label, ms,
                100 * ms / total));
        System.out.println("  most expensive ops (self time):");
        profile.byOp().stream().limit(TOP_OPS).forEach(op -> System.out.printf("    %-42s %8.2f ms %5.1f%%%n",
                op.getKey(), op.getValue(), 100 * op.getValue() / total));
    }

    /** GFLOP/s of a square matmul of the model's dtype on its device: 2 n^3 FLOPs per product, median of 5. */
    static double matmulCeiling(ModelOptions options) {
        int n = CEILING_MATMUL_SIZE;
        try (NDManager m = NDManager.newBaseManager(options.device())) {
            NDArray a = m.randomNormal(new Shape(n, n)).toType(options.dataType(), false);
            NDArray b = m.randomNormal(new Shape(n, n)).toType(options.dataType(), false);
            a.matMul(b).close();
            double[] ms = new double[5];
            for (int i = 0; i < ms.length; i++) {
                long started = System.nanoTime();
                NDArray c = a.matMul(b);
                c.getFloat(0, 0);
                ms[i] = (System.nanoTime() - started) / 1e6;
                c.close();
            }
            return 2.0 * n * n * n / 1e9 / (median(ms) / 1e3);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void close(Map<String, NDArray> outputs) {
        outputs.values().forEach(NDArray::close);
    }
}
