package io.flinkasr.pipeline;

import java.util.Arrays;
import java.util.Locale;

/**
 * Word error rate with the normalisation written down: lower case, every character but letters, digits
 * and apostrophes becomes a space, runs of spaces collapse. Substitutions, insertions and deletions
 * count one each (Levenshtein over words), divided by the number of reference words.
 */
final class WordErrorRate {
    private WordErrorRate() {}

    static String[] words(String text) {
        String normal = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9']+", " ").strip();
        return normal.isEmpty() ? new String[0] : normal.split(" ");
    }

    static int errors(String reference, String hypothesis) {
        String[] ref = words(reference);
        String[] hyp = words(hypothesis);
        int[] prev = new int[hyp.length + 1];
        int[] cur = new int[hyp.length + 1];
        for (int j = 0; j <= hyp.length; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= ref.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= hyp.length; j++) {
                int sub = prev[j - 1] + (ref[i - 1].equals(hyp[j - 1]) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[hyp.length];
    }

    static double of(String reference, String hypothesis) {
        int n = words(reference).length;
        return n == 0 ? 0 : errors(reference, hypothesis) / (double) n;
    }

    static String normal(String text) {
        return String.join(" ", Arrays.asList(words(text)));
    }
}
