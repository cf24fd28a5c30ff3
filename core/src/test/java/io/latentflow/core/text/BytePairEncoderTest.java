package io.latentflow.core.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BytePairEncoderTest {

    /** ranks: 0 "a b", 1 "ab c</w>", 2 "ab ab". */
    private final BytePairEncoder bpe = new BytePairEncoder(BytePairEncoder.parsePairs(
            List.of("a b", "ab c</w>", "ab ab")));

    @Test
    void lowestRankedPairMergesFirstEverywhere() {
        // a b a b c</w> -> ab ab c</w> -> (rank 1 beats rank 2) ab abc</w>
        assertEquals(List.of("ab", "abc</w>"), bpe.encode("ababc"));
        // a b a b</w> -> ab a b</w>: the suffixed b is another symbol, so "a b" does not apply to it
        assertEquals(List.of("ab", "a", "b</w>"), bpe.encode("abab"));
    }

    @Test
    void singleCharacterGetsTheEndOfWordSuffix() {
        assertEquals(List.of("x</w>"), bpe.encode("x"));
        assertEquals(List.of("x", "y</w>"), bpe.encode("xy"));
    }
}
