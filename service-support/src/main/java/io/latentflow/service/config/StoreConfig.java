package io.latentflow.service.config;

import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Object store that holds {@code models/<name>/<version>/} for models missing locally: the {@code <prefix>.store.*} keys. */
public interface StoreConfig {

    /** S3 endpoint URL; absent: models come only from the local root. */
    Optional<String> endpoint();

    @WithDefault("latentflow")
    String bucket();

    Optional<String> accessKey();

    Optional<String> secretKey();

    Optional<String> region();
}
