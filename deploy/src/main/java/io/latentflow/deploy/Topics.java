package io.latentflow.deploy;

import java.util.List;

/**
 * The Kafka topics the local stack creates; the same names as {@code io.latentflow.proto.Topics}, which the
 * deploy module does not depend on.
 */
public final class Topics {

    public static final String GENERATION_REQUESTS = "latentflow.generation.requests";
    public static final String GENERATION_EVENTS = "latentflow.generation.events";
    public static final String GENERATION_REQUESTS_DLQ = "latentflow.generation.requests.dlq";
    public static final String TRAINING_REQUESTS = "latentflow.training.requests";
    public static final String TRAINING_EVENTS = "latentflow.training.events";
    public static final String TRAINING_REQUESTS_DLQ = "latentflow.training.requests.dlq";

    /** Every topic the local stack creates. */
    public static final List<String> ALL = List.of(
        GENERATION_REQUESTS, GENERATION_EVENTS, GENERATION_REQUESTS_DLQ,
        TRAINING_REQUESTS, TRAINING_EVENTS, TRAINING_REQUESTS_DLQ);

    private Topics() {
    }

    /** Dead-letter topics get one partition; request and event topics get {@code partitions}. */
    static int partitionsOf(String topic, int partitions) {
        return topic.endsWith(".dlq") ? 1 : partitions;
    }
}
