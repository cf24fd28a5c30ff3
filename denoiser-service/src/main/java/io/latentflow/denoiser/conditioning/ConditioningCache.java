package io.latentflow.denoiser.conditioning;

import io.latentflow.denoiser.config.DenoiserConfig;
import io.latentflow.proto.Tensor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Conditioning tensors by content key, least recently used evicted once their data exceeds the byte bound. */
@ApplicationScoped
public class ConditioningCache {

    private final long maxBytes;
    private final LinkedHashMap<String, Tensor> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Counter hits;
    private final Counter misses;
    private final Counter evictions;
    private long bytes;

    @Inject
    public ConditioningCache(DenoiserConfig config, MeterRegistry meters) {
        this(config.conditioningCache().maxBytes(), meters);
    }

    ConditioningCache(long maxBytes, MeterRegistry meters) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("denoiser.conditioning-cache.max-bytes must be >= 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.hits = Counter.builder("latentflow.denoiser.conditioning.hits").register(meters);
        this.misses = Counter.builder("latentflow.denoiser.conditioning.misses").register(meters);
        this.evictions = Counter.builder("latentflow.denoiser.conditioning.evictions").register(meters);
        Gauge.builder("latentflow.denoiser.conditioning.bytes", this, ConditioningCache::bytes)
                .baseUnit("bytes")
                .register(meters);
    }

    /** The tensor cached under {@code key}, counting a hit or a miss. */
    public synchronized Optional<Tensor> get(String key) {
        Tensor tensor = entries.get(key);
        (tensor == null ? misses : hits).increment();
        return Optional.ofNullable(tensor);
    }

    /** Caches a tensor under its key; a tensor larger than the whole bound is not kept. */
    public synchronized void put(String key, Tensor tensor) {
        long size = tensor.getData().size();
        if (size > maxBytes) {
            return;
        }
        Tensor previous = entries.put(key, tensor);
        bytes += size - (previous == null ? 0 : previous.getData().size());
        Iterator<Map.Entry<String, Tensor>> eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Tensor> entry = eldest.next();
            bytes -= entry.getValue().getData().size();
            eldest.remove();
            evictions.increment();
        }
    }

    /** Bytes of tensor data currently cached. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Whether a key is cached, without touching its recency or the hit counters. */
    public synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }
}
