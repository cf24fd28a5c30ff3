package io.latentflow.core.text;

import java.nio.charset.StandardCharsets;

/**
 * The reversible byte-to-character table of byte-level BPE (GPT-2, Radford et al. 2019): printable Latin-1 bytes map
 * to themselves, the remaining 68 bytes to the code points 256, 257, ... in byte order, so no byte becomes whitespace
 * or a control character.
 */
final class ByteLevelAlphabet {

    private static final char[] BYTE_TO_CHAR = buildTable();

    private ByteLevelAlphabet() {
    }

    /** The character standing for byte value {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The UTF-8 bytes of {@code text}, each replaced by its byte-level character. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    private static char[] buildTable() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) next++;
        }
        return table;
    }
}
