package io.latentflow.orchestrator.messaging;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A request record's value as text: records arrive as bytes so that a refused one reaches the DLQ unchanged. */
final class RecordText {

    private RecordText() {
    }

    /** The value decoded as UTF-8, empty when it is not valid UTF-8 (or absent). */
    static Optional<String> utf8(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
