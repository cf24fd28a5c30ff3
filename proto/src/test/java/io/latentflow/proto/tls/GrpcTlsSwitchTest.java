package io.latentflow.proto.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.PropertiesConfigSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrpcTlsSwitchTest {

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withSources(new GrpcTlsSwitch())
                .build();
    }

    @Test
    void aCertificateAndKeyServeTlsOnlyOnTheUsualPort() {
        SmallRyeConfig config = config(Map.of("quarkus.http.port", "8082",
                GrpcTlsSwitch.CERT, "/tls/tls.crt", GrpcTlsSwitch.KEY, "/tls/tls.key"));

        assertEquals("/tls/tls.crt", config.getRawValue("quarkus.tls.latentflow-grpc-server.key-store.pem.0.cert"));
        assertEquals("/tls/tls.key", config.getRawValue("quarkus.tls.latentflow-grpc-server.key-store.pem.0.key"));
        assertEquals("latentflow-grpc-server", config.getRawValue("quarkus.http.tls-configuration-name"));
        assertEquals("disabled", config.getRawValue("quarkus.http.insecure-requests"));
        assertEquals("8082", config.getRawValue("quarkus.http.ssl-port"));
    }

    @Test
    void withoutSettingsNothingChanges() {
        SmallRyeConfig config = config(Map.of("quarkus.http.port", "8082", GrpcTlsSwitch.CERT, " "));

        assertEquals(null, config.getRawValue("quarkus.http.tls-configuration-name"));
        assertEquals(null, config.getRawValue("quarkus.http.ssl-port"));
    }

    @Test
    void aCertificateWithoutItsKeyStopsTheStartNamingTheKey() {
        Exception e = assertThrows(Exception.class,
                () -> config(Map.of(GrpcTlsSwitch.CERT, "/tls/tls.crt")));
        assertTrue(String.valueOf(e.getMessage()).contains(GrpcTlsSwitch.KEY + " is missing"), e.getMessage());
    }
}
