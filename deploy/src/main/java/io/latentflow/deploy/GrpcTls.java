package io.latentflow.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for gRPC between the services: the model services serve with {@code cert} and {@code key}, the orchestrator
 * trusts {@code ca}. All three are PEM files.
 */
public record GrpcTls(Path cert, Path key, Path ca) {

    public GrpcTls {
        cert = cert.toAbsolutePath().normalize();
        key = key.toAbsolutePath().normalize();
        ca = ca.toAbsolutePath().normalize();
    }

    /**
     * From LATENTFLOW_GRPC_TLS_CERT, LATENTFLOW_GRPC_TLS_KEY and LATENTFLOW_GRPC_TLS_CA: all three, or none (plain
     * text); some but not all is refused, naming what is missing.
     */
    public static Optional<GrpcTls> fromEnvironment(Map<String, String> env) {
        String cert = nonBlank(env.get("LATENTFLOW_GRPC_TLS_CERT"));
        String key = nonBlank(env.get("LATENTFLOW_GRPC_TLS_KEY"));
        String ca = nonBlank(env.get("LATENTFLOW_GRPC_TLS_CA"));
        if (cert == null && key == null && ca == null) {
            return Optional.empty();
        }
        List<String> missing = new ArrayList<>();
        if (cert == null) {
            missing.add("LATENTFLOW_GRPC_TLS_CERT");
        }
        if (key == null) {
            missing.add("LATENTFLOW_GRPC_TLS_KEY");
        }
        if (ca == null) {
            missing.add("LATENTFLOW_GRPC_TLS_CA");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("TLS between the services needs LATENTFLOW_GRPC_TLS_CERT, "
                    + "LATENTFLOW_GRPC_TLS_KEY and LATENTFLOW_GRPC_TLS_CA; missing: " + String.join(" ", missing));
        }
        return Optional.of(new GrpcTls(Path.of(cert), Path.of(key), Path.of(ca)));
    }

    /** A client context that trusts the certificates in {@link #ca()} only. */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(ca)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + index++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the CA certificates in " + ca + ": " + e.getMessage(), e);
        }
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
