package io.latentflow.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/** The protobuf JSON form of LatentFlow's records: Kafka values, run.json, metrics.jsonl rows. */
final class ProtoJson {

    private ProtoJson() {
    }

    /** The record as the components write it: indented, one field per line. */
    static String print(MessageOrBuilder message) {
        return print(JsonFormat.printer(), message);
    }

    /** The record on one line, for JSON-lines output. */
    static String line(MessageOrBuilder message) {
        return print(JsonFormat.printer().omittingInsignificantWhitespace(), message);
    }

    /** Reads a record written by a component; fields this CLI does not know yet (a newer writer's) are skipped. */
    static <B extends Message.Builder> B merge(String json, B builder) throws InvalidProtocolBufferException {
        JsonFormat.parser().ignoringUnknownFields().merge(json, builder);
        return builder;
    }

    private static String print(JsonFormat.Printer printer, MessageOrBuilder message) {
        try {
            return printer.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(message.getDescriptorForType().getName() + " cannot be written as JSON", e);
        }
    }
}
