package io.latentflow.core.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding of one pre-tokenized word (Sennrich et al. 2016): the word's characters, the last one suffixed
 * with {@code </w>}, are merged pairwise, always the adjacent pair of lowest merge rank first, until no ranked pair
 * remains. Results are cached per word.
 */
final class BytePairEncoder {

    static final String END_OF_WORD = "</w>";
    private static final int MAX_CACHE_ENTRIES = 100_000;

    private final Map<String, Integer> ranks;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    /** @param merges merge pairs in rank order (index = rank) */
    BytePairEncoder(List<String[]> merges) {
        Map<String, Integer> byPair = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] pair = merges.get(rank);
            byPair.putIfAbsent(pairKey(pair[0], pair[1]), rank);
        }
        this.ranks = byPair;
    }

    /** Symbols of {@code word} (a byte-level string, non-empty) after all merges. */
    List<String> encode(String word) {
        List<String> cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> symbols = merge(word);
        if (cache.size() >= MAX_CACHE_ENTRIES) {
            cache.clear();
        }
        cache.put(word, symbols);
        return symbols;
    }

    private List<String> merge(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        int last = word.length() - 1;
        for (int i = 0; i < last; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(last) + END_OF_WORD);
        while (symbols.size() > 1) {
            // 1. the adjacent pair with the lowest rank
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = ranks.get(pairKey(symbols.get(i), symbols.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            // 2. merge every occurrence of that pair, left to right
            List<String> merged = new ArrayList<>(symbols.size());
            int i = 0;
            while (i < symbols.size()) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(symbols.get(i));
                    i += 1;
                }
            }
            symbols = merged;
        }
        return List.copyOf(symbols);
    }

    private static String pairKey(String first, String second) {
        return first + ' ' + second;
    }

    /** Merge pairs from merges.txt lines (header already removed); lines that are not a pair never match. */
    static List<String[]> parsePairs(List<String> lines) {
        List<String[]> pairs = new ArrayList<>(lines.size());
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                pairs.add(parts);
            }
        }
        return pairs;
    }
}
