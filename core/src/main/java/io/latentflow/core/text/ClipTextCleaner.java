package io.latentflow.core.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Text cleanup applied before CLIP's pre-tokenization when no ftfy is available, as transformers' CLIPTokenizer does
 * with {@code BasicTokenizer(strip_accents=False, do_split_on_punc=False)}: control characters, U+0000 and U+FFFD
 * dropped, whitespace turned into spaces, spaces put around CJK ideographs, NFC normalisation, lower-cased
 * whitespace-separated words joined by single spaces. Accents are kept and punctuation is not split.
 */
final class ClipTextCleaner {

    private ClipTextCleaner() {
    }

    /** The cleaned, lower-cased text; empty when {@code text} holds no visible characters. */
    static String clean(String text) {
        // 1. drop invalid and control characters, map whitespace to a space, isolate CJK ideographs
        StringBuilder cleaned = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isCjkIdeograph(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        });
        // 2. canonical composition, then lower-cased words joined by single spaces
        String normalized = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(normalized.length());
        int start = -1;
        for (int i = 0; i <= normalized.length(); ) {
            int cp = i < normalized.length() ? normalized.codePointAt(i) : ' ';
            boolean separator = i == normalized.length() || isSeparator(cp);
            if (separator && start >= 0) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(normalized.substring(start, i).toLowerCase(Locale.ROOT));
                start = -1;
            } else if (!separator && start < 0) {
                start = i;
            }
            i += i < normalized.length() ? Character.charCount(cp) : 1;
        }
        return out.toString();
    }

    /** Unicode "other" categories (Cc, Cf, Cs, Co, Cn) except tab, newline and carriage return. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    /** Space, tab, newline, carriage return and space separators (Zs). */
    static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** Characters that split words: Python's {@code str.isspace()} set. */
    static boolean isSeparator(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** The CJK Unified Ideographs blocks and their extensions and compatibility blocks. */
    static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
