package io.latentflow.denoiser.grpc;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Collects the service's finished spans in memory so that tests can read their attributes. */
public class SpanExporterProducer {

    @Produces
    @Singleton
    InMemorySpanExporter spanExporter() {
        return InMemorySpanExporter.create();
    }
}
