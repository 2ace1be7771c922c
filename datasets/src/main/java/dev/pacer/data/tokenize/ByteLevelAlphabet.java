package dev.pacer.data.tokenize;

import java.io.ByteArrayOutputStream;

/**
 * GPT-2's reversible byte-to-character table (Radford et al. 2019, the released encoder), which
 * byte-level BPE tokenizers (GPT-2, RoBERTa, Llama 3, ...) use to spell their tokens: printable
 * Latin-1 bytes stand for themselves, the other 68 bytes map in order to code points from 256 up,
 * so every byte is a visible character and a token's string spells the exact bytes it stands for.
 */
public final class ByteLevelAlphabet {

    private static final int[] CODE_POINT = new int[256];
    /** Byte of each code point below 256 + 68, or -1. */
    private static final int[] BYTE = new int[256 + 68];

    static {
        java.util.Arrays.fill(BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            CODE_POINT[b] = printable ? b : next++;
            BYTE[CODE_POINT[b]] = b;
        }
    }

    private ByteLevelAlphabet() {}

    /** The character that spells byte {@code b} (0-255). */
    public static int codePoint(int b) {
        return CODE_POINT[b];
    }

    /** The bytes a token string spells, or null when a character is outside the alphabet. */
    public static byte[] bytes(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= BYTE.length || BYTE[cp] < 0) {
                return null;
            }
            out.write(BYTE[cp]);
        }
        return out.toByteArray();
    }
}
