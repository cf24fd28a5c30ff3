package io.latentflow.cli.model;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where forward passes spend their time, by kind of op: libtorch's profiler records every aten op of the passes,
 * each op's self time (its duration less that of the ops it called) goes to the kind its name says, and the wall
 * time no op accounts for is the cost of reaching libtorch (Java, JNI, dispatch).
 */
final class OpProfile {

    /** The kinds of work a diffusion model does. */
    enum Kind {
        CONVOLUTION("convolution"),
        LINEAR("matmul / linear (1x1 convolutions too)"),
        ATTENTION("attention (batched products, softmax)"),
        NORMALISATION("normalisation"),
        ELEMENTWISE("elementwise"),
        LAYOUT("copies and layout (cat, copy, pad, resize)"),
        OUTSIDE("outside ops (Java, JNI, dispatch)");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private static final Set<String> LINEAR_OPS = Set.of("addmm", "mm", "matmul", "linear", "mv", "dot", "addmv");
    /** Batched products: attention's (q k^T, p v) under a matmul, weight products (per sample) called directly. */
    private static final Set<String> BATCHED_PRODUCTS = Set.of("bmm", "baddbmm");
    private static final Set<String> ATTENTION_OPS = Set.of("softmax", "_softmax",
            "scaled_dot_product_attention", "_scaled_dot_product_flash_attention_for_cpu");
    private static final Set<String> LAYOUT_OPS = Set.of("copy_", "contiguous", "cat", "clone", "to", "_to_copy",
            "pad", "constant_pad_nd", "upsample_nearest2d", "_unsafe_view", "index", "index_select", "stack",
            "repeat", "fill_", "zero_", "zeros", "empty", "empty_like", "full", "view", "reshape", "permute",
            "transpose", "t", "as_strided", "slice", "select", "expand", "unsqueeze", "squeeze", "flatten", "narrow",
            "split", "chunk", "detach", "alias", "resolve_conj", "resolve_neg");

    private OpProfile() {
    }

    /**
     * Milliseconds per pass of each kind, and of each op by name (most expensive first).
     */
    record Breakdown(Map<Kind, Double> byKind, List<Map.Entry<String, Double>> byOp) {
    }

    /** The breakdown of {@code passes} runs of {@code pass} under the profiler. */
    static Breakdown measure(Runnable pass, int passes) {
        Path trace;
        try {
            trace = Files.createTempFile("latentflow-profile", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            JniUtils.startProfile(false, false, false);
            long started = System.nanoTime();
            for (int i = 0; i < passes; i++) {
                pass.run();
            }
            double wallMs = (System.nanoTime() - started) / 1e6;
            JniUtils.stopProfile(trace.toString());
            return byKind(new ObjectMapper().readTree(trace.toFile()), wallMs, passes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the profiler's trace " + trace, e);
        } finally {
            trace.toFile().delete();
        }
    }

    /** Self time per kind from a Chrome trace of complete ("X") events, nested by start and duration per thread. */
    static Breakdown byKind(JsonNode events, double wallMs, int passes) {
        List<Op> ops = new ArrayList<>();
        for (JsonNode event : events) {
            if ("X".equals(event.path("ph").asText())) {
                ops.add(new Op(event.path("name").asText(), event.path("tid").asText(),
                        event.path("ts").asDouble(), event.path("dur").asDouble()));
            }
        }
        ops.sort(Comparator.comparing(Op::thread).thenComparingDouble(Op::start)
                .thenComparing(Comparator.comparingDouble(Op::duration).reversed()));
        double[] childTime = new double[ops.size()];
        String[] parent = new String[ops.size()];
        Deque<Integer> open = new ArrayDeque<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            while (!open.isEmpty() && !ops.get(open.peek()).encloses(op)) {
                open.pop();
            }
            if (!open.isEmpty()) {
                childTime[open.peek()] += op.duration();
                parent[i] = ops.get(open.peek()).name();
            }
            open.push(i);
        }
        Map<Kind, Double> ms = new EnumMap<>(Kind.class);
        Map<String, Double> byOp = new HashMap<>();
        double accounted = 0;
        for (int i = 0; i < ops.size(); i++) {
            double self = Math.max(0, ops.get(i).duration() - childTime[i]) / 1e3;
            ms.merge(kind(ops.get(i).name(), parent[i]), self / passes, Double::sum);
            byOp.merge(ops.get(i).name(), self / passes, Double::sum);
            accounted += self;
        }
        ms.put(Kind.OUTSIDE, Math.max(0, wallMs - accounted) / passes);
        return new Breakdown(ms, byOp.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList());
    }

    /** The kind of an op called by {@code parentName} (null: called from Java). */
    static Kind kind(String opName, String parentName) {
        String name = opName.startsWith("aten::") ? opName.substring(6) : opName;
        name = name.toLowerCase(Locale.ROOT);
        if (name.contains("conv")) {
            return Kind.CONVOLUTION;
        }
        if (BATCHED_PRODUCTS.contains(name)) {
            return "aten::matmul".equals(parentName) ? Kind.ATTENTION : Kind.LINEAR;
        }
        if (ATTENTION_OPS.contains(name)) {
            return Kind.ATTENTION;
        }
        if (LINEAR_OPS.contains(name)) {
            return Kind.LINEAR;
        }
        if (name.contains("norm")) {
            return Kind.NORMALISATION;
        }
        if (LAYOUT_OPS.contains(name) || name.startsWith("upsample")) {
            return Kind.LAYOUT;
        }
        return Kind.ELEMENTWISE;
    }

    private record Op(String name, String thread, double start, double duration) {
        boolean encloses(Op other) {
            return thread.equals(other.thread) && other.start < start + duration;
        }
    }
}
