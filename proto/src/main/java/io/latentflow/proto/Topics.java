package io.latentflow.proto;

import java.util.List;

/** Names of the Kafka topics and dead-letter record headers, as agreed between all components. */
public final class Topics {

    public static final String GENERATION_REQUESTS = "latentflow.generation.requests";
    public static final String GENERATION_EVENTS = "latentflow.generation.events";
    public static final String GENERATION_REQUESTS_DLQ = "latentflow.generation.requests.dlq";
    public static final String TRAINING_REQUESTS = "latentflow.training.requests";
    public static final String TRAINING_EVENTS = "latentflow.training.events";
    public static final String TRAINING_REQUESTS_DLQ = "latentflow.training.requests.dlq";

    /** Every topic, as the local stack creates them. */
    public static final List<String> ALL = List.of(
            GENERATION_REQUESTS, GENERATION_EVENTS, GENERATION_REQUESTS_DLQ,
            TRAINING_REQUESTS, TRAINING_EVENTS, TRAINING_REQUESTS_DLQ);

    /** Dead-letter headers: the request field at fault, and why the record was refused. */
    public static final String HEADER_FAILED_FIELD = "latentflow-failed-field";
    public static final String HEADER_FAILED_REASON = "latentflow-failed-reason";
    /** When the record was refused, epoch milliseconds. */
    public static final String HEADER_FAILED_AT = "latentflow-failed-at";
    /** The same reason under the header name SmallRye's own dead-letter strategy uses. */
    public static final String HEADER_DEAD_LETTER_REASON = "dead-letter-reason";
    public static final String HEADER_DEAD_LETTER_TOPIC = "dead-letter-topic";
    public static final String HEADER_DEAD_LETTER_PARTITION = "dead-letter-partition";
    public static final String HEADER_DEAD_LETTER_OFFSET = "dead-letter-offset";

    private Topics() {
    }
}
