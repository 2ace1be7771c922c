package dev.pacer.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.run.PacerSettings;
import dev.pacer.run.RunStorage;
import dev.pacer.sweep.SweepRun.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.hadoop.conf.Configuration;

/**
 * The learning-rate recovery benchmark: a fixed-LR grid (log-spaced around a central value) at
 * one token budget, then AdaLRS started from each grid learning rate at the same budget. Every
 * run has its own run directory under the sweep's output, so an interrupted sweep resumes (a
 * finished run is read back, not repeated).
 */
public final class LrSweep {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String output;
    private final double[] grid;
    private final boolean fixed;
    private final boolean adaptive;
    private final BiFunction<Double, Boolean, PacerSettings> settingsFor;
    private final java.util.Map<String, PacerSettings> peers;
    private final PrintStream out;
    private final SweepRun.Runner runner;

    /**
     * @param settingsFor settings of one run from (learning rate, AdaLRS on); the run directory is
     *     set by this class
     */
    public LrSweep(
            String output,
            double center,
            int points,
            double span,
            boolean fixed,
            boolean adaptive,
            BiFunction<Double, Boolean, PacerSettings> settingsFor,
            java.util.Map<String, PacerSettings> peers,
            PrintStream out) {
        this.peers = peers;
        this.output = output;
        this.grid = grid(center, points, span);
        this.fixed = fixed;
        this.adaptive = adaptive;
        this.settingsFor = settingsFor;
        this.out = out;
        this.runner = SweepRun.pretrain(out);
    }

    /** {@code points} learning rates log-spaced from center/span to center·span. */
    public static double[] grid(double center, int points, double span) {
        if (points < 2 || !(span > 1) || !(center > 0)) {
            throw new IllegalArgumentException("a sweep needs >= 2 points, a span > 1 and a centre > 0");
        }
        double[] g = new double[points];
        for (int i = 0; i < points; i++) {
            g[i] = center * Math.pow(span, 2.0 * i / (points - 1) - 1.0);
        }
        return g;
    }

    public List<Result> run() throws IOException {
        List<Result> results = new ArrayList<>();
        if (fixed) {
            for (double lr : grid) {
                results.add(runOne("fixed", lr, false));
            }
        }
        if (adaptive) {
            for (double lr : grid) {
                results.add(runOne("adalrs", lr, true));
            }
        }
        for (var peer : peers.entrySet()) {
            results.add(run("peer-" + peer.getKey(), peer.getValue().train().lr(), peer.getValue()));
        }
        report(results);
        return results;
    }

    private Result runOne(String kind, double lr, boolean adalrs) throws IOException {
        return run(kind, lr, settingsFor.apply(lr, adalrs));
    }

    private Result run(String kind, double lr, PacerSettings base) throws IOException {
        String dir = output + "/" + kind + (kind.startsWith("peer-") ? "" : "-lr-" + String.format("%.3e", lr));
        return runner.run(dir, kind, lr, base);
    }

    private void report(List<Result> results) throws IOException {
        double best = Double.POSITIVE_INFINITY;
        double bestLr = Double.NaN;
        double fixedWall = 0;
        int fixedRuns = 0;
        long fixedTokens = 0;
        for (Result r : results) {
            if (r.kind().equals("fixed")) {
                if (r.valLoss() < best) {
                    best = r.valLoss();
                    bestLr = r.startLr();
                }
                fixedWall += r.wallSeconds();
                fixedRuns++;
                fixedTokens = r.tokens();
            }
        }
        StringBuilder t = new StringBuilder();
        t.append(String.format(
                "machine: %d cores; best grid learning rate %.3e, validation loss %.4f%n%n",
                Runtime.getRuntime().availableProcessors(), bestLr, best));
        t.append(
                "| start lr | x best | fixed val loss | AdaLRS final lr | AdaLRS val loss | gap to best grid | compute vs one run (tokens) | wall vs mean fixed run |\n");
        t.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        ArrayNode json = JSON.createArrayNode();
        for (double lr : grid) {
            Result f = find(results, "fixed", lr);
            Result a = find(results, "adalrs", lr);
            t.append(String.format(
                    "| %.3e | %.2f | %s | %s | %s | %s | %s | %s |%n",
                    lr,
                    lr / bestLr,
                    f == null ? "-" : String.format("%.4f", f.valLoss()),
                    a == null ? "-" : String.format("%.3e", a.finalLr()),
                    a == null ? "-" : String.format("%.4f", a.valLoss()),
                    a == null || Double.isInfinite(best)
                            ? "-"
                            : String.format("%+.2f%%", 100 * (a.valLoss() - best) / best),
                    a == null || fixedTokens == 0 ? "-" : String.format("%.2fx", (double) a.tokens() / fixedTokens),
                    a == null || fixedRuns == 0
                            ? "-"
                            : String.format("%.2fx", a.wallSeconds() / (fixedWall / fixedRuns))));
            ObjectNode row = json.addObject().put("start_lr", lr);
            if (f != null) {
                row.put("fixed_val_loss", f.valLoss()).put("fixed_wall_s", f.wallSeconds());
            }
            if (a != null) {
                row.put("adalrs_final_lr", a.finalLr())
                        .put("adalrs_val_loss", a.valLoss())
                        .put("adalrs_tokens", a.tokens())
                        .put("adalrs_wall_s", a.wallSeconds());
            }
        }
        if (!peers.isEmpty()) {
            t.append(
                    "\n| method | optimizer | start lr | val loss | gap to best grid | compute vs one run (tokens) |\n");
            t.append("|---|---|---:|---:|---:|---:|\n");
            t.append(String.format(
                    "| fixed lr, best of the grid (grid cost: %d runs) | adamw | %.3e | %.4f | +0.00%% | 1.00x |%n",
                    fixedRuns, bestLr, best));
            for (Result r : results) {
                if (r.kind().equals("adalrs")
                        && Math.abs(Math.log(r.startLr() / bestLr)) > Math.log(5)
                        && Math.abs(Math.log(r.startLr() / bestLr)) < Math.log(20)) {
                    t.append(String.format(
                            "| AdaLRS from %.1fx the best lr | adamw | %.3e | %.4f | %+.2f%% | %.2fx |%n",
                            r.startLr() / bestLr,
                            r.startLr(),
                            r.valLoss(),
                            100 * (r.valLoss() - best) / best,
                            fixedTokens == 0 ? Double.NaN : (double) r.tokens() / fixedTokens));
                }
            }
            for (var peer : peers.entrySet()) {
                Result r = results.stream()
                        .filter(x -> x.kind().equals("peer-" + peer.getKey()))
                        .findFirst()
                        .orElseThrow();
                t.append(String.format(
                        "| %s | %s | %.3e | %.4f | %+.2f%% | %.2fx |%n",
                        peer.getKey(),
                        peer.getValue().optimizer().spec().id(),
                        r.startLr(),
                        r.valLoss(),
                        100 * (r.valLoss() - best) / best,
                        fixedTokens == 0 ? Double.NaN : (double) r.tokens() / fixedTokens));
            }
        }
        out.println();
        out.print(t);
        RunStorage storage = new RunStorage(output, new Configuration());
        storage.writeText(storage.resolve("sweep.md"), t.toString());
        storage.writeAll(
                storage.resolve("sweep.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        out.println("\nsaved " + storage.resolve("sweep.md") + " and sweep.json");
    }

    private static Result find(List<Result> rs, String kind, double lr) {
        for (Result r : rs) {
            if (r.kind().equals(kind) && r.startLr() == lr) {
                return r;
            }
        }
        return null;
    }
}
