package io.latentflow.service.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns the OpenTelemetry SDK off unless an OTLP endpoint is configured, so that nothing exports to a collector that
 * is not there; an explicit {@code quarkus.otel.sdk.disabled} anywhere else still wins.
 */
public final class TracingDefaults implements ConfigSourceFactory {

    static final String ENDPOINT = "latentflow.otlp.endpoint";
    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    private static final int ORDINAL = 200;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue endpoint = context.getValue(ENDPOINT);
        boolean endpointSet = endpoint != null && endpoint.getValue() != null && !endpoint.getValue().isBlank();
        return List.of(new PropertiesConfigSource(
                Map.of(SDK_DISABLED, Boolean.toString(!endpointSet)), "latentflow-tracing-defaults", ORDINAL));
    }
}
