package dev.pacer.bench;

import dev.pacer.engine.MatmulRate;
import dev.pacer.engine.Precision;
import dev.pacer.model.GptConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * libtorch's matrix-multiply rate at a preset's own GEMM shapes, per precision: every GEMM of
 * one training micro-batch (each linear layer forward, input gradient and weight gradient; the
 * attention's batched products; the tied head), each timed alone; the peak is the micro-batch's
 * matmul FLOPs over the summed times (the FLOP-weighted harmonic mean). The same shapes as
 * bench/matmul-peaks.py, which measures Debian's torch 1.13 for comparison.
 */
final class MatmulPeaks {

    /** One GEMM shape: {@code batch} products of (m x k) by (k x n), {@code count} times a micro-batch. */
    record Gemm(String label, int batch, int m, int k, int n, int count) {
        double flops() {
            return 2.0 * batch * m * k * n * count;
        }
    }

    private MatmulPeaks() {}

    static List<Gemm> gemms(GptConfig c, int microBatch, int seqLen) {
        int tokens = microBatch * seqLen;
        int w = c.width();
        int layers = c.layers();
        List<Gemm> out = new ArrayList<>();
        int[][] linears = {{w, 3 * w}, {w, w}, {w, 4 * w}, {4 * w, w}};
        String[] names = {"qkv", "attn proj", "mlp fc", "mlp proj"};
        for (int i = 0; i < linears.length; i++) {
            int in = linears[i][0];
            int o = linears[i][1];
            out.add(new Gemm(names[i] + " forward", 1, tokens, in, o, layers));
            out.add(new Gemm(names[i] + " input grad", 1, tokens, o, in, layers));
            out.add(new Gemm(names[i] + " weight grad", 1, in, tokens, o, layers));
        }
        int bh = microBatch * c.heads();
        int hd = c.headDim();
        // per head: scores q.k^T and, in backward, dP = dO.v^T; the weighted sum p.v and, in
        // backward, dV = p^T.dO, dQ = dS.k, dK = dS^T.q
        out.add(new Gemm("attention q.k^T, dP", bh, seqLen, hd, seqLen, 2 * layers));
        out.add(new Gemm("attention p.v, dV, dQ, dK", bh, seqLen, seqLen, hd, 4 * layers));
        out.add(new Gemm("head forward", 1, tokens, w, c.vocab(), 1));
        out.add(new Gemm("head input grad", 1, tokens, c.vocab(), w, 1));
        out.add(new Gemm("head weight grad", 1, c.vocab(), tokens, w, 1));
        return out;
    }

    /** Prints the per-shape table and returns each precision's FLOP-weighted peak in GFLOP/s. */
    static Map<Precision, Double> measure(
            GptConfig c, int microBatch, int seqLen, List<Precision> precisions, PrintStream out) {
        List<Gemm> gemms = gemms(c, microBatch, seqLen);
        Map<Precision, double[]> totals = new LinkedHashMap<>();
        precisions.forEach(p -> totals.put(p, new double[2]));
        StringBuilder head = new StringBuilder("| GEMM | batch x m x k x n | per micro-batch |");
        StringBuilder rule = new StringBuilder("|---|---|---:|");
        precisions.forEach(p -> {
            head.append(' ').append(p.id()).append(" GFLOP/s |");
            rule.append("---:|");
        });
        out.println(head);
        out.println(rule);
        try (MatmulRate rate = new MatmulRate()) {
            for (Gemm g : gemms) {
                StringBuilder line = new StringBuilder(String.format(
                        "| %s | %d x %d x %d x %d | %d |", g.label(), g.batch(), g.m(), g.k(), g.n(), g.count()));
                for (Precision p : precisions) {
                    double gflops = rate.gflops(g.batch(), g.m(), g.k(), g.n(), p, 5);
                    double[] t = totals.get(p);
                    t[0] += g.flops();
                    t[1] += g.flops() / gflops;
                    line.append(String.format(" %.0f |", gflops));
                }
                out.println(line);
            }
        }
        Map<Precision, Double> peaks = new LinkedHashMap<>();
        totals.forEach((p, t) -> peaks.put(p, t[0] / t[1]));
        out.printf(
                "%nlibtorch's matmul peak at these shapes (FLOP-weighted): %s; %.2f GFLOP of matmuls a micro-batch%n",
                String.join(
                        ", ",
                        peaks.entrySet().stream()
                                .map(e -> String.format(
                                        "%s %.0f GFLOP/s", e.getKey().id(), e.getValue()))
                                .toList()),
                totals.values().iterator().next()[0] / 1e9);
        return peaks;
    }
}
