package dev.pacer.bench;

import static dev.pacer.bench.ThroughputBenchmark.median;

import dev.pacer.engine.Precision;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.StepTimings;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The tables of one preset: throughput per mode and precision, ratios, where a step goes. */
final class BenchTables {

    private final PrintStream out;
    private final ThroughputBenchmark.Plan plan;
    private final ParameterLayout layout;
    private final long tokensPerStep;
    private final double flopsPerToken;
    private final int threadsPerTask;
    private final int partitions;
    private final Map<Precision, Double> peaks;

    BenchTables(
            PrintStream out,
            PacerSettings settings,
            ThroughputBenchmark.Plan plan,
            ParameterLayout layout,
            int threadsPerTask,
            Map<Precision, Double> peaks) {
        this.out = out;
        this.peaks = peaks;
        this.plan = plan;
        this.layout = layout;
        this.tokensPerStep =
                (long) settings.train().globalBatch() * settings.train().seqLen();
        this.flopsPerToken = ThroughputBenchmark.trainingFlopsPerToken(
                layout.config(), settings.train().seqLen());
        this.threadsPerTask = threadsPerTask;
        this.partitions = settings.partitions();
    }

    void print(
            ModelPreset preset,
            List<List<PlainLoop.Step>> plain,
            List<List<StepTimings>> pipe,
            String loadBefore,
            String loadAfter) {
        List<Precision> precisions = plan.precisions();
        out.printf(
                "%n%s: %,d parameters, %.1f MFLOP of training a token; %d measured steps per precision in the"
                        + " plain loop (alternating each step) and %d x %d in the pipeline (alternating in rounds),"
                        + " after %d warm-up steps; load average %s at the start, %s at the end%n%n",
                preset.id(),
                layout.totalSize(),
                flopsPerToken / 1e6,
                plan.steps(),
                plan.rounds(),
                plan.steps(),
                plan.warmup(),
                loadBefore,
                loadAfter);
        out.println("| mode | threads | precision | tokens/s | ms/step (median) | model GFLOP/s |"
                + (peaks.isEmpty() ? "" : " % of libtorch's matmul peak |"));
        out.println("|---|---|---|---:|---:|---:|" + (peaks.isEmpty() ? "" : "---:|"));
        double[] plainMs = new double[precisions.size()];
        double[] pipeMs = new double[precisions.size()];
        for (int i = 0; i < precisions.size(); i++) {
            plainMs[i] = median(plain.get(i), PlainLoop.Step::totalMs);
            row("plain JVM loop", "1 replica x " + threadsPerTask * partitions, precisions.get(i), plainMs[i]);
        }
        for (int i = 0; i < precisions.size(); i++) {
            pipeMs[i] = median(pipe.get(i), t -> t.totalMs() - t.validationMs());
            row("pipeline, local mode", partitions + " tasks x " + threadsPerTask, precisions.get(i), pipeMs[i]);
        }
        for (int i = 1; i < precisions.size(); i++) {
            out.printf(
                    "%n%s / %s tokens/s: plain loop %.2fx, pipeline %.2fx; pipeline / plain: %s %.2f, %s %.2f%n",
                    precisions.get(i).id(),
                    precisions.get(0).id(),
                    plainMs[0] / plainMs[i],
                    pipeMs[0] / pipeMs[i],
                    precisions.get(0).id(),
                    plainMs[0] / pipeMs[0],
                    precisions.get(i).id(),
                    plainMs[i] / pipeMs[i]);
        }
        breakdown(plain, pipe);
    }

    private void row(String mode, String threads, Precision p, double ms) {
        double tokensPerSecond = tokensPerStep * 1000.0 / ms;
        double gflops = tokensPerSecond * flopsPerToken / 1e9;
        String share = peaks.containsKey(p) ? String.format(" %.0f%% |", 100 * gflops / peaks.get(p)) : "";
        out.printf(
                "| %s | %s | %s | %.0f | %.1f | %.1f |%s%n", mode, threads, p.id(), tokensPerSecond, ms, gflops, share);
    }

    private void breakdown(List<List<PlainLoop.Step>> plain, List<List<StepTimings>> pipe) {
        out.println();
        StringBuilder head = new StringBuilder("| where a step goes (median ms) |");
        StringBuilder rule = new StringBuilder("|---|");
        plan.precisions().forEach(p -> {
            head.append(' ').append(p.id()).append(" |");
            rule.append("---:|");
        });
        out.println(head);
        out.println(rule);
        line("plain loop: forward+backward", plain, PlainLoop.Step::computeMs);
        line("plain loop: scale, clip, optimizer", plain, PlainLoop.Step::optimizerMs);
        line("pipeline: broadcast weights", pipe, StepTimings::broadcastMs);
        line("pipeline: slowest task's forward+backward", pipe, StepTimings::slowestTaskMs);
        line("pipeline: scheduling, result transfer, rest", pipe, t -> t.jobMs() - t.slowestTaskMs());
        line("pipeline: driver sum, scale, clip", pipe, StepTimings::sumMs);
        line("pipeline: driver optimizer", pipe, StepTimings::optimizerMs);
    }

    private <T> void line(String label, List<List<T>> rows, ToDoubleFunction<T> f) {
        StringBuilder line = new StringBuilder("| " + label + " |");
        rows.forEach(r -> line.append(String.format(" %.1f |", median(r, f))));
        out.println(line);
    }
}
