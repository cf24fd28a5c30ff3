package io.latentflow.denoiser.grpc;

import io.latentflow.denoiser.conditioning.ConditioningCache;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.TensorRef;
import io.latentflow.proto.Tensors;
import io.latentflow.service.grpc.InvalidFieldException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Optional;

/**
 * Turns {@link TensorRef}s into tensors: an inline tensor is cached under its content key, a bare key is looked up
 * in the cache and, when absent, reported as missing so that the caller sends the tensor again.
 */
@ApplicationScoped
public class TensorRefResolver {

    private final ConditioningCache cache;

    @Inject
    public TensorRefResolver(ConditioningCache cache) {
        this.cache = cache;
    }

    /**
     * The tensor a reference stands for; empty when the reference is unset or its key is not cached (then the key is
     * added to {@code missingKeys}).
     */
    public Optional<Tensor> resolve(String field, TensorRef ref, Collection<String> missingKeys) {
        if (ref.hasTensor()) {
            Tensor tensor = ref.getTensor();
            String key = Tensors.contentKey(tensor);
            if (!ref.getKey().isEmpty() && !ref.getKey().equals(key)) {
                throw new InvalidFieldException(field + ".key",
                        "'" + ref.getKey() + "' is not the content key of the tensor sent with it (" + key + ")");
            }
            cache.put(key, tensor);
            return Optional.of(tensor);
        }
        if (ref.getKey().isEmpty()) {
            return Optional.empty();
        }
        Optional<Tensor> cached = cache.get(ref.getKey());
        if (cached.isEmpty() && !missingKeys.contains(ref.getKey())) {
            missingKeys.add(ref.getKey());
        }
        return cached;
    }
}
