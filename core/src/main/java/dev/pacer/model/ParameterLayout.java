package dev.pacer.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The flat weight vector of a {@link GptConfig}: every tensor in a fixed order, GPT-2 names.
 * The driver, the optimizer and the checkpoints all address weights through this layout.
 */
public final class ParameterLayout {

    private final GptConfig config;
    private final List<TensorSpec> tensors;
    private final Map<String, TensorSpec> byName;
    private final int totalSize;

    public ParameterLayout(GptConfig config) {
        this.config = config;
        long d = config.width();
        List<TensorSpec> list = new ArrayList<>();
        int[] offset = {0};
        Adder add = (name, kind, block, shape) -> {
            TensorSpec t = new TensorSpec(name, shape, offset[0], kind, block);
            list.add(t);
            offset[0] = Math.addExact(offset[0], t.size());
        };
        add.add("wte.weight", ParameterKind.TOKEN_EMBEDDING, -1, config.vocab(), d);
        add.add("wpe.weight", ParameterKind.POSITION_EMBEDDING, -1, config.context(), d);
        for (int i = 0; i < config.layers(); i++) {
            String p = "h." + i + ".";
            add.add(p + "ln_1.weight", ParameterKind.NORM, i, d);
            add.add(p + "ln_1.bias", ParameterKind.BIAS, i, d);
            add.add(p + "attn.c_attn.weight", ParameterKind.ATTENTION, i, d, 3 * d);
            add.add(p + "attn.c_attn.bias", ParameterKind.BIAS, i, 3 * d);
            add.add(p + "attn.c_proj.weight", ParameterKind.ATTENTION, i, d, d);
            add.add(p + "attn.c_proj.bias", ParameterKind.BIAS, i, d);
            add.add(p + "ln_2.weight", ParameterKind.NORM, i, d);
            add.add(p + "ln_2.bias", ParameterKind.BIAS, i, d);
            add.add(p + "mlp.c_fc.weight", ParameterKind.MLP, i, d, 4 * d);
            add.add(p + "mlp.c_fc.bias", ParameterKind.BIAS, i, 4 * d);
            add.add(p + "mlp.c_proj.weight", ParameterKind.MLP, i, 4 * d, d);
            add.add(p + "mlp.c_proj.bias", ParameterKind.BIAS, i, d);
        }
        add.add("ln_f.weight", ParameterKind.NORM, -1, d);
        add.add("ln_f.bias", ParameterKind.BIAS, -1, d);
        this.tensors = Collections.unmodifiableList(list);
        Map<String, TensorSpec> map = new LinkedHashMap<>();
        for (TensorSpec t : list) {
            map.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(map);
        this.totalSize = offset[0];
    }

    @FunctionalInterface
    private interface Adder {
        void add(String name, ParameterKind kind, int block, long... shape);
    }

    public GptConfig config() {
        return config;
    }

    public List<TensorSpec> tensors() {
        return tensors;
    }

    public TensorSpec tensor(String name) {
        TensorSpec t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' in this model");
        }
        return t;
    }

    public int totalSize() {
        return totalSize;
    }

    /**
     * The entries of the tensors marked in {@code keep} (one flag per tensor, in layout order),
     * concatenated in layout order: a task of a run with frozen groups sends only these.
     */
    public float[] pack(float[] full, boolean[] keep) {
        checkKeep(keep);
        if (full.length != totalSize) {
            throw new IllegalArgumentException("vector of " + full.length + " entries, layout has " + totalSize);
        }
        float[] out = new float[packedSize(keep)];
        int k = 0;
        for (int i = 0; i < tensors.size(); i++) {
            if (keep[i]) {
                TensorSpec t = tensors.get(i);
                System.arraycopy(full, t.offset(), out, k, t.size());
                k += t.size();
            }
        }
        return out;
    }

    /** Adds a vector made by {@link #pack} with the same {@code keep} into the matching entries of {@code full}. */
    public void addPacked(float[] packed, boolean[] keep, float[] full) {
        checkKeep(keep);
        if (packed.length != packedSize(keep) || full.length != totalSize) {
            throw new IllegalArgumentException("packed vector of " + packed.length + " entries for " + packedSize(keep)
                    + " kept ones, full vector of " + full.length + " for " + totalSize);
        }
        int k = 0;
        for (int i = 0; i < tensors.size(); i++) {
            if (keep[i]) {
                TensorSpec t = tensors.get(i);
                for (int j = t.offset(), end = t.offset() + t.size(); j < end; j++) {
                    full[j] += packed[k++];
                }
            }
        }
    }

    /** Entries of the tensors marked in {@code keep}. */
    public int packedSize(boolean[] keep) {
        checkKeep(keep);
        int n = 0;
        for (int i = 0; i < tensors.size(); i++) {
            n += keep[i] ? tensors.get(i).size() : 0;
        }
        return n;
    }

    private void checkKeep(boolean[] keep) {
        if (keep.length != tensors.size()) {
            throw new IllegalArgumentException(keep.length + " flags for " + tensors.size() + " tensors");
        }
    }

    /** The exclusive end of each tensor in the flat vector, in layout order. */
    public int[] tensorEnds() {
        int[] ends = new int[tensors.size()];
        for (int t = 0; t < ends.length; t++) {
            ends[t] = tensors.get(t).offset() + tensors.get(t).size();
        }
        return ends;
    }

    /**
     * GPT-2 initialisation (Radford et al. 2019, section 2.3): N(0, 0.02) for embeddings and
     * projections, the residual output projections scaled by 1/sqrt(2·layers), zero biases,
     * unit norm gains. Deterministic in {@code seed}.
     */
    public float[] initialWeights(long seed) {
        float[] w = new float[totalSize];
        SplittableRandom root = new SplittableRandom(seed);
        for (TensorSpec t : tensors) {
            // one stream per tensor, so adding a tensor never shifts another's values
            initialise(t, root.split(), w, t.offset());
        }
        return w;
    }

    /**
     * Tensor {@code tensor}'s initial values, the same as in {@link #initialWeights(long)}, written
     * to {@code into[offset, offset + size)}: a shard owner initialises only its own tensors.
     */
    public void initialTensor(long seed, int tensor, float[] into, int offset) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom stream = root.split();
        for (int i = 0; i < tensor; i++) {
            stream = root.split();
        }
        initialise(tensors.get(tensor), stream, into, offset);
    }

    private void initialise(TensorSpec t, SplittableRandom rng, float[] into, int offset) {
        double residualStd = 0.02 / Math.sqrt(2.0 * config.layers());
        int end = offset + t.size();
        switch (t.kind()) {
            case NORM -> java.util.Arrays.fill(into, offset, end, 1f);
            case BIAS -> java.util.Arrays.fill(into, offset, end, 0f);
            default -> {
                double std = t.name().endsWith("c_proj.weight") ? residualStd : 0.02;
                for (int i = offset; i < end; i++) {
                    into[i] = (float) (rng.nextGaussian() * std);
                }
            }
        }
    }
}
