package io.latentflow.cli;

import io.latentflow.proto.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The dead-letter topics: what was refused and why, and sending a record again once its cause is fixed. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = "Refused request records on latentflow.generation.requests.dlq (--training: the training one).",
    subcommands = {DlqCommand.ListRecords.class, DlqCommand.ShowRecord.class, DlqCommand.ReplayRecord.class})
public final class DlqCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options every subcommand shares. */
    static class Topic {
        @Option(names = "--training", description = "the training requests' dead letters")
        boolean training;

        DeadLetters deadLetters() {
            return new DeadLetters(CliEnvironment.detect().endpoints(), training);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per refused record, oldest first.")
    static final class ListRecords implements Callable<Integer> {
        @Mixin
        Topic topic = new Topic();

        @Override
        public Integer call() {
            List<DeadLetters.DeadLetter> letters = topic.deadLetters().all();
            System.out.printf("%-10s %-24s %-20s %-16s %s%n", "record", "refused at", "key", "field", "reason");
            for (DeadLetters.DeadLetter letter : letters) {
                System.out.printf("%-10s %-24s %-20s %-16s %s%n", letter.id(), refusedAt(letter),
                    letter.key(), letter.header(Topics.HEADER_FAILED_FIELD), letter.header(Topics.HEADER_FAILED_REASON));
            }
            System.out.println(letters.size() + " record(s)");
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One record: its headers and its value.")
    static final class ShowRecord implements Callable<Integer> {
        @Mixin
        Topic topic = new Topic();

        @Parameters(paramLabel = "PARTITION:OFFSET", description = "the record, as dlq list names it")
        String id;

        @Override
        public Integer call() {
            Optional<DeadLetters.DeadLetter> found = topic.deadLetters().find(id);
            if (found.isEmpty()) {
                System.err.println("error: no record " + id + " on the dead-letter topic");
                return 2;
            }
            DeadLetters.DeadLetter letter = found.get();
            System.out.println("record " + letter.id() + "  key " + letter.key());
            letter.headers().forEach((name, value) -> System.out.println("  " + name + ": " + value));
            System.out.println(text(letter.value()).orElse("(" + letter.value().length + " bytes, not UTF-8 text)"));
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Send a record again to the requests topic, under its key: as it was, or --value FILE.")
    static final class ReplayRecord implements Callable<Integer> {
        @Mixin
        Topic topic = new Topic();

        @Parameters(paramLabel = "PARTITION:OFFSET", description = "the record, as dlq list names it")
        String id;

        @Option(names = "--value", paramLabel = "FILE", description = "send this file's bytes instead (a corrected request)")
        Path value;

        @Override
        public Integer call() throws Exception {
            DeadLetters deadLetters = topic.deadLetters();
            Optional<DeadLetters.DeadLetter> found = deadLetters.find(id);
            if (found.isEmpty()) {
                System.err.println("error: no record " + id + " on " + deadLetters.topic());
                return 2;
            }
            byte[] bytes = value == null ? found.get().value() : Files.readAllBytes(value);
            deadLetters.replay(found.get(), bytes);
            System.out.println("sent record " + id + " (key " + found.get().key() + ", " + bytes.length + " bytes) to "
                + deadLetters.requestsTopic());
            return 0;
        }
    }

    private static String refusedAt(DeadLetters.DeadLetter letter) {
        String millis = letter.header(Topics.HEADER_FAILED_AT);
        return millis.isEmpty() ? "" : Instant.ofEpochMilli(Long.parseLong(millis)).toString();
    }

    private static Optional<String> text(byte[] value) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
