package io.latentflow.denoiser.conditioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.latentflow.proto.DType;
import io.latentflow.proto.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ConditioningCacheTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void theLeastRecentlyUsedTensorIsEvictedWhenTheBoundIsExceeded() {
        ConditioningCache cache = new ConditioningCache(300, meters);
        cache.put("a", bytes(100));
        cache.put("b", bytes(100));
        cache.put("c", bytes(100));
        cache.get("a");

        cache.put("d", bytes(100));

        assertTrue(cache.contains("a"));
        assertFalse(cache.contains("b"));
        assertTrue(cache.contains("c"));
        assertTrue(cache.contains("d"));
        assertEquals(300, cache.bytes());
        assertEquals(1, meters.counter("latentflow.denoiser.conditioning.evictions").count());
    }

    @Test
    void aTensorLargerThanTheWholeBoundIsNotKept() {
        ConditioningCache cache = new ConditioningCache(300, meters);
        cache.put("a", bytes(100));

        cache.put("huge", bytes(301));

        assertFalse(cache.contains("huge"));
        assertTrue(cache.contains("a"));
        assertEquals(100, cache.bytes());
    }

    @Test
    void puttingAKeyAgainReplacesItsBytes() {
        ConditioningCache cache = new ConditioningCache(300, meters);
        cache.put("a", bytes(100));

        cache.put("a", bytes(40));

        assertEquals(40, cache.bytes());
    }

    @Test
    void hitsAndMissesAreCounted() {
        ConditioningCache cache = new ConditioningCache(300, meters);
        cache.put("a", bytes(10));

        assertTrue(cache.get("a").isPresent());
        assertTrue(cache.get("b").isEmpty());

        assertEquals(1, meters.counter("latentflow.denoiser.conditioning.hits").count());
        assertEquals(1, meters.counter("latentflow.denoiser.conditioning.misses").count());
    }

    private static Tensor bytes(int size) {
        return Tensor.newBuilder().addShape(size).setDtype(DType.UINT8).setData(ByteString.copyFrom(new byte[size]))
                .build();
    }
}
