package io.latentflow.core.text;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ByteLevelAlphabetTest {

    @Test
    void printableBytesStayAndOthersMoveAbove255() {
        assertEquals("a!~", ByteLevelAlphabet.encode("a!~"));
        // space 0x20 is the 33rd non-printable byte: 256 + 32
        assertEquals("\u0120", ByteLevelAlphabet.encode(" "));
        // é = C3 A9, both printable Latin-1
        assertEquals("\u00c3\u00a9", ByteLevelAlphabet.encode("é"));
        // soft hyphen 0xAD is the last non-printable byte: 256 + 67
        assertEquals("\u0143", ByteLevelAlphabet.encode("\u00ad").substring(1));
    }

    @Test
    void everyByteHasItsOwnCharacter() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            seen.add(ByteLevelAlphabet.charOf(b));
        }
        assertEquals(256, seen.size());
    }
}
