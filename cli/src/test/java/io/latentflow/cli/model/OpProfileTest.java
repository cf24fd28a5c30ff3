package io.latentflow.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Self times by kind from a profiler trace: nested ops, several threads, and the time outside any op. */
class OpProfileTest {

    private static String op(String name, int thread, double start, double duration) {
        return String.format("{\"name\":\"%s\",\"ph\":\"X\",\"ts\":%f,\"dur\":%f,\"tid\":%d,\"args\":{}}", name,
                start, duration, thread);
    }

    @Test
    void anOpCountsOnlyTheTimeItsCalleesDoNotTakeAndEachCalleeGoesToItsOwnKind() throws Exception {
        // thread 1: conv2d (1000 us) calls convolution (900) which calls mkldnn_convolution (850) and copy_ (30);
        // then linear (500) calls addmm (400); thread 2: softmax (200) calls _softmax (150); a lone add (100)
        String trace = "[" + String.join(",",
                op("aten::conv2d", 1, 0, 1000),
                op("aten::convolution", 1, 50, 900),
                op("aten::mkldnn_convolution", 1, 60, 850),
                op("aten::copy_", 1, 920, 30),
                op("aten::linear", 1, 1100, 500),
                op("aten::addmm", 1, 1150, 400),
                op("aten::softmax", 2, 0, 200),
                op("aten::_softmax", 2, 20, 150),
                op("aten::add", 1, 1700, 100),
                "{\"name\":\"metadata\",\"ph\":\"M\",\"tid\":1}") + "]";
        // two passes of 1.5 ms wall time each
        OpProfile.Breakdown profile = OpProfile.byKind(new ObjectMapper().readTree(trace), 3.0, 2);
        Map<OpProfile.Kind, Double> ms = profile.byKind();

        assertEquals((100 + 20 + 850) / 1e3 / 2, ms.get(OpProfile.Kind.CONVOLUTION), 1e-9);
        assertEquals(30 / 1e3 / 2, ms.get(OpProfile.Kind.LAYOUT), 1e-9);
        assertEquals(500 / 1e3 / 2, ms.get(OpProfile.Kind.LINEAR), 1e-9);
        assertEquals(200 / 1e3 / 2, ms.get(OpProfile.Kind.ATTENTION), 1e-9);
        assertEquals(100 / 1e3 / 2, ms.get(OpProfile.Kind.ELEMENTWISE), 1e-9);
        // 1.8 ms of op time out of 3.0 ms of wall time
        assertEquals((3.0 - 1.8) / 2, ms.get(OpProfile.Kind.OUTSIDE), 1e-9);
        assertEquals("aten::mkldnn_convolution", profile.byOp().get(0).getKey());
        assertEquals(0.425, profile.byOp().get(0).getValue(), 1e-9);
    }

    @Test
    void opsAreSortedIntoTheKindTheirNameSays() {
        assertEquals(OpProfile.Kind.CONVOLUTION, OpProfile.kind("aten::_slow_conv2d_forward", null));
        // attention's products go through matmul; the weight products of linear layers and 1x1 convolutions are
        // batched products called directly
        assertEquals(OpProfile.Kind.ATTENTION, OpProfile.kind("aten::bmm", "aten::matmul"));
        assertEquals(OpProfile.Kind.LINEAR, OpProfile.kind("aten::bmm", null));
        assertEquals(OpProfile.Kind.ATTENTION, OpProfile.kind("aten::_scaled_dot_product_flash_attention_for_cpu", null));
        assertEquals(OpProfile.Kind.LINEAR, OpProfile.kind("aten::mm", null));
        assertEquals(OpProfile.Kind.NORMALISATION, OpProfile.kind("aten::native_group_norm", null));
        assertEquals(OpProfile.Kind.NORMALISATION, OpProfile.kind("aten::native_layer_norm", null));
        assertEquals(OpProfile.Kind.LAYOUT, OpProfile.kind("aten::upsample_nearest2d", null));
        assertEquals(OpProfile.Kind.LAYOUT, OpProfile.kind("aten::cat", null));
        assertEquals(OpProfile.Kind.ELEMENTWISE, OpProfile.kind("aten::silu", null));
    }
}
