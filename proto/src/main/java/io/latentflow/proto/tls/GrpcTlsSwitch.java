package io.latentflow.proto.tls;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns TLS on for a service's gRPC server from two settings, so that nothing else needs to know the Quarkus keys
 * behind them. (The clients' side needs no code: {@code quarkus.grpc.clients.<name>.ssl.trust-store} reads
 * {@value #CA}, and a client with a trust store connects over TLS, else in plain text.)
 *
 * <ul>
 * <li>{@value #CERT} and {@value #KEY} (PEM files; environment LATENTFLOW_GRPC_TLS_CERT, LATENTFLOW_GRPC_TLS_KEY): the
 * process serves gRPC and HTTP over TLS only, on its usual port; plain-text connections are refused.</li>
 * </ul>
 */
public final class GrpcTlsSwitch implements ConfigSourceFactory {

    public static final String CERT = "latentflow.grpc.tls.cert";
    public static final String KEY = "latentflow.grpc.tls.key";
    /** Read by the clients' own configuration ({@code quarkus.grpc.clients.<name>.ssl.trust-store}). */
    public static final String CA = "latentflow.grpc.tls.ca";

    static final String SERVER_TLS = "latentflow-grpc-server";
    private static final int ORDINAL = 210;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> properties = new HashMap<>();
        String cert = value(context, CERT);
        String key = value(context, KEY);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(cert == null
                    ? CERT + " is missing: TLS needs a certificate beside " + KEY
                    : KEY + " is missing: TLS needs the private key of " + CERT);
        }
        if (cert != null) {
            properties.put("quarkus.tls." + SERVER_TLS + ".key-store.pem.0.cert", cert);
            properties.put("quarkus.tls." + SERVER_TLS + ".key-store.pem.0.key", key);
            properties.put("quarkus.http.tls-configuration-name", SERVER_TLS);
            properties.put("quarkus.http.insecure-requests", "disabled");
            String port = value(context, "quarkus.http.port");
            if (port != null) {
                properties.put("quarkus.http.ssl-port", port);
            }
        }
        return List.of(new PropertiesConfigSource(properties, "latentflow-grpc-tls", ORDINAL));
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue().trim();
    }
}
