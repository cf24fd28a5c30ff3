package io.latentflow.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer (Radford et al. 2021) read from a Hugging Face tokenizer folder (vocab.json,
 * merges.txt, tokenizer_config.json, special_tokens_map.json), producing the ids of transformers' CLIPTokenizer
 * called with {@code padding="max_length", truncation=True}: start token, at most maxLength - 2 text tokens, end
 * token, then the pad token.
 */
public final class ClipTokenizer {

    static final String START_OF_TEXT = "<|startoftext|>";
    static final String END_OF_TEXT = "<|endoftext|>";
    /** CLIP reads at most this many merges (49152 - 256 - 2 vocabulary entries are merge results). */
    static final int MAX_MERGES = 49152 - 256 - 2;
    /** model_max_length of every CLIP text encoder, used when the configuration does not state one. */
    static final int DEFAULT_MAX_LENGTH = 77;

    /** CLIP's pre-tokenization: special tokens, English contractions, letter runs, single digits, other runs. */
    static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> vocab;
    private final BytePairEncoder bpe;
    private final Map<String, AddedToken> addedTokens;
    private final List<AddedToken> addedTokensLongestFirst;
    private final int maxLength;
    private final int bosTokenId;
    private final int eosTokenId;
    private final int padTokenId;
    private final int unkTokenId;

    /** A token matched verbatim in the input before any cleanup (special tokens and added tokens). */
    private record AddedToken(String content, int id, boolean lstrip, boolean rstrip) {
    }

    private ClipTokenizer(Map<String, Integer> vocab, BytePairEncoder bpe, Map<String, AddedToken> addedTokens,
            int maxLength, int bosTokenId, int eosTokenId, int padTokenId, int unkTokenId) {
        this.vocab = vocab;
        this.bpe = bpe;
        this.addedTokens = addedTokens;
        this.addedTokensLongestFirst = addedTokens.values().stream()
                .sorted(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed())
                .toList();
        this.maxLength = maxLength;
        this.bosTokenId = bosTokenId;
        this.eosTokenId = eosTokenId;
        this.padTokenId = padTokenId;
        this.unkTokenId = unkTokenId;
    }

    /** Reads a tokenizer folder as written by transformers' {@code save_pretrained}. */
    public static ClipTokenizer load(Path tokenizerDir) {
        Map<String, Integer> vocab = readVocab(tokenizerDir.resolve("vocab.json"));
        BytePairEncoder bpe = new BytePairEncoder(readMerges(tokenizerDir.resolve("merges.txt")));

        // special tokens: tokenizer_config.json, overridden by special_tokens_map.json (as from_pretrained does)
        JsonNode config = readJsonIfPresent(tokenizerDir.resolve("tokenizer_config.json"));
        JsonNode specialMap = readJsonIfPresent(tokenizerDir.resolve("special_tokens_map.json"));
        Map<String, JsonNode> special = new LinkedHashMap<>();
        for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
            JsonNode value = specialMap.hasNonNull(key) ? specialMap.get(key) : config.get(key);
            if (value != null && !value.isNull()) {
                special.put(key, value);
            }
        }
        String bos = special.containsKey("bos_token") ? content(special.get("bos_token")) : START_OF_TEXT;
        String eos = special.containsKey("eos_token") ? content(special.get("eos_token")) : END_OF_TEXT;
        String unk = special.containsKey("unk_token") ? content(special.get("unk_token")) : END_OF_TEXT;
        String pad = special.containsKey("pad_token") ? content(special.get("pad_token")) : END_OF_TEXT;

        // added tokens: those listed in tokenizer_config.json, then the special tokens themselves
        Map<String, AddedToken> added = new LinkedHashMap<>();
        JsonNode decoder = config.path("added_tokens_decoder");
        for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode token = entry.getValue();
            String text = content(token);
            added.putIfAbsent(text, new AddedToken(text, Integer.parseInt(entry.getKey()),
                    token.path("lstrip").asBoolean(false), token.path("rstrip").asBoolean(false)));
        }
        Path addedTokensFile = tokenizerDir.resolve("added_tokens.json");
        if (Files.exists(addedTokensFile)) {
            readJsonIfPresent(addedTokensFile).fields().forEachRemaining(e -> added.putIfAbsent(e.getKey(),
                    new AddedToken(e.getKey(), e.getValue().asInt(), false, false)));
        }
        List<JsonNode> specialValues = new ArrayList<>(special.values());
        specialMap.path("additional_special_tokens").forEach(specialValues::add);
        config.path("additional_special_tokens").forEach(specialValues::add);
        for (JsonNode value : specialValues) {
            String text = content(value);
            if (!added.containsKey(text)) {
                Integer id = vocab.get(text);
                if (id == null) {
                    throw new IllegalArgumentException(
                            "special token " + text + " of " + tokenizerDir + " is not in vocab.json");
                }
                added.put(text, new AddedToken(text, id, value.path("lstrip").asBoolean(false),
                        value.path("rstrip").asBoolean(false)));
            }
        }

        int maxLength = DEFAULT_MAX_LENGTH;
        JsonNode configuredMax = config.get("model_max_length");
        if (configuredMax != null && configuredMax.isNumber() && configuredMax.asDouble() < 1e6) {
            maxLength = configuredMax.asInt();
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("model_max_length " + maxLength + " of " + tokenizerDir + " is below 2");
        }
        return new ClipTokenizer(vocab, bpe, added, maxLength, added.get(bos).id(), added.get(eos).id(),
                added.get(pad).id(), added.get(unk).id());
    }

    /** Sequence length of {@link #encode}: model_max_length (77 for CLIP). */
    public int maxLength() {
        return maxLength;
    }

    public int bosTokenId() {
        return bosTokenId;
    }

    public int eosTokenId() {
        return eosTokenId;
    }

    public int padTokenId() {
        return padTokenId;
    }

    /** maxLength ids: start token, the first maxLength - 2 token ids of {@code text}, end token, pad tokens. */
    public long[] encode(String text) {
        int[] ids = tokenIds(text);
        int kept = Math.min(ids.length, maxLength - 2);
        long[] out = new long[maxLength];
        Arrays.fill(out, padTokenId);
        out[0] = bosTokenId;
        for (int i = 0; i < kept; i++) {
            out[i + 1] = ids[i];
        }
        out[kept + 1] = eosTokenId;
        return out;
    }

    /** Number of non-padding positions of {@link #encode}: start and end tokens included, at most maxLength. */
    public int tokenCount(String text) {
        return Math.min(tokenIds(text).length + 2, maxLength);
    }

    /** Ids of the text's tokens without start/end tokens, padding or truncation. */
    public int[] tokenIds(String text) {
        List<String> tokens = tokenize(text);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = idOf(tokens.get(i));
        }
        return ids;
    }

    /** BPE tokens of {@code text} ({@code </w>} marks a word's end), added tokens kept whole. */
    public List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        for (String piece : splitOnAddedTokens(text)) {
            if (addedTokens.containsKey(piece)) {
                tokens.add(piece);
                continue;
            }
            Matcher words = WORDS.matcher(ClipTextCleaner.clean(piece));
            while (words.find()) {
                String word = words.group();
                if (word.equals(START_OF_TEXT) || word.equals(END_OF_TEXT)) {
                    tokens.add(word);
                } else {
                    tokens.addAll(bpe.encode(ByteLevelAlphabet.encode(word)));
                }
            }
        }
        return tokens;
    }

    private int idOf(String token) {
        AddedToken added = addedTokens.get(token);
        if (added != null) {
            return added.id();
        }
        return vocab.getOrDefault(token, unkTokenId);
    }

    /**
     * Cuts the text at every occurrence of an added token (leftmost match, longest token first), honouring each
     * token's lstrip/rstrip; returns the pieces in order, empty pieces dropped.
     */
    private List<String> splitOnAddedTokens(String text) {
        List<String> pieces = new ArrayList<>();
        List<Boolean> isToken = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            AddedToken match = null;
            for (AddedToken token : addedTokensLongestFirst) {
                if (text.startsWith(token.content(), i)) {
                    match = token;
                    break;
                }
            }
            if (match == null) {
                i++;
                continue;
            }
            pieces.add(text.substring(start, i));
            isToken.add(false);
            pieces.add(match.content());
            isToken.add(true);
            i += match.content().length();
            start = i;
        }
        pieces.add(text.substring(start));
        isToken.add(false);
        for (int k = 0; k < pieces.size(); k++) {
            if (!isToken.get(k)) {
                continue;
            }
            AddedToken token = addedTokens.get(pieces.get(k));
            if (token.rstrip() && k + 1 < pieces.size() && !isToken.get(k + 1)) {
                pieces.set(k + 1, pieces.get(k + 1).stripLeading());
            }
            if (token.lstrip() && k > 0 && !isToken.get(k - 1)) {
                pieces.set(k - 1, pieces.get(k - 1).stripTrailing());
            }
        }
        List<String> nonEmpty = new ArrayList<>(pieces.size());
        for (String piece : pieces) {
            if (!piece.isEmpty()) {
                nonEmpty.add(piece);
            }
        }
        return nonEmpty;
    }

    private static Map<String, Integer> readVocab(Path file) {
        JsonNode root = readJson(file);
        Map<String, Integer> vocab = new HashMap<>(root.size() * 2);
        root.fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        return vocab;
    }

    private static List<String[]> readMerges(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        // the first line is the "#version" header
        List<String> lines = Arrays.asList(text.strip().split("\n"));
        List<String> mergeLines = lines.subList(Math.min(1, lines.size()), Math.min(lines.size(), MAX_MERGES + 1));
        return BytePairEncoder.parsePairs(mergeLines);
    }

    private static String content(JsonNode token) {
        return token.isTextual() ? token.asText() : token.path("content").asText();
    }

    private static JsonNode readJsonIfPresent(Path file) {
        return Files.exists(file) ? readJson(file) : JSON.createObjectNode();
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
