package dev.pacer.data.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns a byte-level BPE the way GPT-2's was learnt, small: words split with GPT-2's
 * pre-tokenization pattern, spelled in GPT-2's byte alphabet, then the most frequent adjacent pair
 * merged again and again (ties to the pair that spells first). For test tokenizers only.
 */
final class BytePairLearner {

    /** GPT-2's pre-tokenization pattern; the tokenizers library applies the same one when encoding. */
    private static final Pattern WORDS =
            Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private BytePairLearner() {}

    static byte[] learn(List<String> docs, int mergeCount) {
        int[] table = TestTokenizers.byteToCodePoint();
        List<String> tokens = new ArrayList<>(); // by id
        int[] idOfByte = new int[256];
        for (boolean printable : new boolean[] {true, false}) {
            for (int b = 0; b < 256; b++) {
                if ((table[b] == b) == printable) {
                    idOfByte[b] = tokens.size();
                    tokens.add(new String(Character.toChars(table[b])));
                }
            }
        }
        Map<List<Integer>, Long> counted = new HashMap<>();
        for (String doc : docs) {
            Matcher m = WORDS.matcher(doc);
            while (m.find()) {
                List<Integer> word = new ArrayList<>();
                for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) {
                    word.add(idOfByte[b & 0xFF]);
                }
                counted.merge(word, 1L, Long::sum);
            }
        }
        List<int[]> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        counted.forEach((w, n) -> {
            words.add(w.stream().mapToInt(Integer::intValue).toArray());
            counts.add(n);
        });
        Map<String, Integer> vocab = new java.util.LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        Map<Long, Long> pairs = new HashMap<>();
        for (int w = 0; w < words.size(); w++) {
            countPairs(words.get(w), counts.get(w), pairs);
        }
        List<String> merges = new ArrayList<>();
        for (int i = 0; i < mergeCount; i++) {
            long bestCount =
                    pairs.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            long best = -1;
            for (Map.Entry<Long, Long> e : pairs.entrySet()) {
                if (e.getValue() == bestCount
                        && (best < 0 || spell(tokens, e.getKey()).compareTo(spell(tokens, best)) < 0)) {
                    best = e.getKey();
                }
            }
            int a = (int) (best >>> 32);
            int b = (int) best;
            merges.add(spell(tokens, best));
            String joined = tokens.get(a) + tokens.get(b);
            Integer merged = vocab.get(joined); // two merges may spell the same token
            if (merged == null) {
                merged = tokens.size();
                tokens.add(joined);
                vocab.put(joined, merged);
            }
            for (int w = 0; w < words.size(); w++) {
                int[] before = words.get(w);
                int[] after = mergePair(before, a, b, merged);
                if (after != before) { // only words holding the pair change their pair counts
                    countPairs(before, -counts.get(w), pairs);
                    countPairs(after, counts.get(w), pairs);
                    words.set(w, after);
                }
            }
            pairs.values().removeIf(n -> n == 0);
        }
        return TestTokenizers.byteLevelBpe(vocab, merges);
    }

    private static void countPairs(int[] word, long n, Map<Long, Long> pairs) {
        for (int k = 0; k + 1 < word.length; k++) {
            pairs.merge(((long) word[k] << 32) | word[k + 1], n, Long::sum);
        }
    }

    /** "a b": the merge of the pair as tokenizer.json writes it. */
    private static String spell(List<String> tokens, long pair) {
        return tokens.get((int) (pair >>> 32)) + " " + tokens.get((int) pair);
    }

    private static int[] mergePair(int[] word, int a, int b, int merged) {
        int at = 0;
        while (at + 1 < word.length && !(word[at] == a && word[at + 1] == b)) {
            at++;
        }
        if (at + 1 >= word.length) {
            return word;
        }
        int[] out = new int[word.length];
        int n = 0;
        for (int k = 0; k < word.length; k++) {
            if (k + 1 < word.length && word[k] == a && word[k + 1] == b) {
                out[n++] = merged;
                k++;
            } else {
                out[n++] = word[k];
            }
        }
        return n == word.length ? word : java.util.Arrays.copyOf(out, n);
    }
}
