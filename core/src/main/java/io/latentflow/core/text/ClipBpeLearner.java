package io.latentflow.core.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * Learns a CLIP byte-level BPE vocabulary from a corpus (Sennrich et al. 2016, Algorithm 1): words are cut as
 * {@link ClipTokenizer} cuts them, spelt in the byte alphabet with {@code </w>} on their last symbol, and the most
 * frequent adjacent pair is merged (ties broken alphabetically) until every word is one symbol or the merge budget
 * is spent. Writes the tokenizer folder in CLIP's format: vocab.json (the 256 byte symbols, the same with
 * {@code </w>}, one entry per merge, then the start and end tokens), merges.txt, and the configs.
 */
public final class ClipBpeLearner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ClipBpeLearner() {
    }

    /** The learnt merges, in order. */
    public static List<String[]> learn(List<String> corpus, int maxMerges) {
        // 1. word frequencies, each word as its symbols
        Map<List<String>, Integer> words = new LinkedHashMap<>();
        for (String text : corpus) {
            Matcher m = ClipTokenizer.WORDS.matcher(ClipTextCleaner.clean(text));
            while (m.find()) {
                String word = ByteLevelAlphabet.encode(m.group());
                List<String> symbols = new ArrayList<>();
                for (int i = 0; i < word.length(); i++) {
                    symbols.add(word.substring(i, i + 1) + (i == word.length() - 1 ? BytePairEncoder.END_OF_WORD : ""));
                }
                words.merge(symbols, 1, Integer::sum);
            }
        }
        List<String[]> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            // 2. the most frequent adjacent pair
            Map<String, Integer> counts = new TreeMap<>();
            Map<String, String[]> pairs = new HashMap<>();
            words.forEach((symbols, count) -> {
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    String key = symbols.get(i) + " " + symbols.get(i + 1);
                    counts.merge(key, count, Integer::sum);
                    pairs.putIfAbsent(key, new String[] {symbols.get(i), symbols.get(i + 1)});
                }
            });
            if (counts.isEmpty()) {
                break;
            }
            String best = null;
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                if (best == null || e.getValue() > counts.get(best)) {
                    best = e.getKey();
                }
            }
            String[] pair = pairs.get(best);
            merges.add(pair);
            // 3. replace the pair in every word
            Map<List<String>, Integer> merged = new LinkedHashMap<>();
            words.forEach((symbols, count) -> {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < symbols.size(); i++) {
                    if (i + 1 < symbols.size() && symbols.get(i).equals(pair[0]) && symbols.get(i + 1).equals(pair[1])) {
                        out.add(pair[0] + pair[1]);
                        i++;
                    } else {
                        out.add(symbols.get(i));
                    }
                }
                merged.merge(out, count, Integer::sum);
            });
            words = merged;
        }
        return merges;
    }

    /** Writes vocab.json, merges.txt, tokenizer_config.json and special_tokens_map.json; returns the vocab size. */
    public static int write(List<String[]> merges, Path dir, int maxLength) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> bytes = new ArrayList<>();
        // byte symbols in CLIP's order: the printable bytes (which stand for themselves) first, then the others
        for (int b = 0; b < 256; b++) {
            if (ByteLevelAlphabet.charOf(b) == b) {
                bytes.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
            }
        }
        for (int b = 0; b < 256; b++) {
            if (ByteLevelAlphabet.charOf(b) != b) {
                bytes.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
            }
        }
        bytes.forEach(s -> vocab.put(s, vocab.size()));
        bytes.forEach(s -> vocab.put(s + BytePairEncoder.END_OF_WORD, vocab.size()));
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
        }
        int start = vocab.size();
        vocab.put(ClipTokenizer.START_OF_TEXT, start);
        vocab.put(ClipTokenizer.END_OF_TEXT, start + 1);
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve("vocab.json").toFile(), vocab);
            StringBuilder text = new StringBuilder("#version: 0.2\n");
            merges.forEach(m -> text.append(m[0]).append(' ').append(m[1]).append('\n'));
            Files.writeString(dir.resolve("merges.txt"), text, StandardCharsets.UTF_8);
            ObjectNode config = JSON.createObjectNode();
            config.put("add_prefix_space", false);
            config.put("bos_token", ClipTokenizer.START_OF_TEXT);
            config.put("clean_up_tokenization_spaces", true);
            config.put("do_lower_case", true);
            config.put("eos_token", ClipTokenizer.END_OF_TEXT);
            config.put("errors", "replace");
            config.put("model_max_length", maxLength);
            config.put("pad_token", ClipTokenizer.END_OF_TEXT);
            config.put("tokenizer_class", "CLIPTokenizer");
            config.put("unk_token", ClipTokenizer.END_OF_TEXT);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
            ObjectNode special = JSON.createObjectNode();
            special.put("bos_token", ClipTokenizer.START_OF_TEXT);
            special.put("eos_token", ClipTokenizer.END_OF_TEXT);
            special.put("pad_token", ClipTokenizer.END_OF_TEXT);
            special.put("unk_token", ClipTokenizer.END_OF_TEXT);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("special_tokens_map.json").toFile(), special);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer to " + dir, e);
        }
        return vocab.size();
    }
}
