package io.latentflow.service.testing;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Plain HTTP GETs against a service under test on the loopback interface (health, metrics). */
public final class ServiceHttp {

    private ServiceHttp() {
    }

    /** GET {@code path} on the port of {@code root}. */
    public static HttpResponse<String> get(URL root, String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + root.getPort() + path)).build();
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        }
    }
}
