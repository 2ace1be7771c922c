package dev.pacer.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Named model sizes. The vocabulary comes from the tokenizer, so a preset fixes everything else.
 */
public enum ModelPreset {
    /** About 0.12M parameters with the byte tokenizer: the fast path for tests. */
    TINY("tiny", 64, 64, 2, 4),
    /** About 6.4M parameters with the byte tokenizer: the default local run. */
    SMALL("small", 256, 256, 8, 8),
    /** GPT-2 small (124M with the GPT-2 BPE vocabulary): for GPU clusters, not run in tests. */
    GPT2_124M("gpt2-124m", 1024, 768, 12, 12);

    private final String id;
    private final int context;
    private final int width;
    private final int layers;
    private final int heads;

    ModelPreset(String id, int context, int width, int layers, int heads) {
        this.id = id;
        this.context = context;
        this.width = width;
        this.layers = layers;
        this.heads = heads;
    }

    public String id() {
        return id;
    }

    public GptConfig config(int vocab) {
        return new GptConfig(vocab, context, width, layers, heads, 1e-5);
    }

    /**
     * Settings the preset brings, between the reference defaults and the user's own: the defaults
     * that must change with the model's size for the preset alone to run (a tiny model's context
     * is 64 tokens, so its sequences default to 64).
     */
    public java.util.Map<String, Object> defaults() {
        return this == TINY ? java.util.Map.of("pacer.train.seq-len", context) : java.util.Map.of();
    }

    public static ModelPreset fromId(String id) {
        String key = id.trim().toLowerCase(Locale.ROOT);
        for (ModelPreset p : values()) {
            if (p.id.equals(key)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown model preset '" + id + "': expected one of " + ids());
    }

    public static String ids() {
        return Arrays.stream(values()).map(ModelPreset::id).collect(Collectors.joining(", "));
    }
}
