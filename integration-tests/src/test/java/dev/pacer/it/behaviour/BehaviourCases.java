package dev.pacer.it.behaviour;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runs whose outputs must not change when the driver is restructured: the default preset for
 * 20 steps, AdaLRS's paired search from 1/30x for 200 steps, Hi-DLR with frozen mode, each of the
 * eleven optimizers for 10 steps, and a stop-and-resume in the middle of an AdaLRS trial. With
 * {@code compute = synthetic} every number in them is the same on any CPU, so their fingerprints
 * are committed and compared by {@link BehaviourRegressionTest}; with {@code torch} they are
 * compared between two builds on one machine ({@code bench/behaviour-record.sh}).
 */
public final class BehaviourCases {

    private BehaviourCases() {}

    /** One case: a name and the pretrain invocations, run in order into one run directory. */
    public record Case(String name, List<String[]> invocations) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final List<String> OPTIMIZERS = List.of(
            "adamw",
            "sgd",
            "lion",
            "adabelief",
            "adan",
            "lamb",
            "diffgrad",
            "adamp",
            "sgd-sai",
            "prodigy",
            "schedule-free-adamw");

    /** Every case, for runs into {@code root}/NAME with {@code compute} (torch or synthetic). */
    public static List<Case> all(Path root, String compute) {
        return all(root, compute, "driver");
    }

    /** Every case, with the update held where {@code update} says (driver or sharded). */
    public static List<Case> all(Path root, String compute, String update) {
        Setup setup = new Setup(compute, update);
        List<Case> cases = new ArrayList<>();
        cases.add(one(root, "default-20", setup, "--max-steps", "20"));
        String[] paired = tiny(
                "--max-steps", "200",
                "--set", "pacer.adalrs.enabled=true",
                "--set", "pacer.train.lr=1.6667e-4",
                "--set", "pacer.train.eval-every=50",
                "--set", "pacer.checkpoint.every=50");
        cases.add(one(root, "adalrs-paired-from-1-30x", setup, paired));
        cases.add(one(
                root,
                "hidlr-frozen",
                setup,
                tiny(
                        "--max-steps", "48",
                        "--set", "pacer.hidlr.enabled=true",
                        "--set", "pacer.hidlr.every=4",
                        "--set", "pacer.hidlr.min-r2=0.5",
                        "--set", "pacer.hidlr.freeze.enabled=true",
                        "--set", "pacer.hidlr.freeze.measure-probes=2",
                        "--set", "pacer.hidlr.freeze.budget=0.5",
                        "--set", "pacer.train.eval-every=16",
                        "--set", "pacer.checkpoint.every=16")));
        for (String name : OPTIMIZERS) {
            List<String> args = new ArrayList<>(List.of(tiny(
                    "--max-steps", "10",
                    "--set", "pacer.optimizer.name=" + name,
                    "--set", "pacer.train.eval-every=5",
                    "--set", "pacer.checkpoint.every=5")));
            if (name.equals("prodigy")) {
                args.addAll(List.of("--set", "pacer.train.lr=1.0", "--set", "pacer.train.min-lr-ratio=0"));
            } else if (name.equals("schedule-free-adamw")) {
                args.addAll(List.of("--set", "pacer.train.lr=0.0025", "--set", "pacer.train.schedule=constant"));
            }
            cases.add(one(root, "optimizer-" + name, setup, args.toArray(String[]::new)));
        }
        // a paired round every 5 steps from step 0; the 8th computed step is in the first trial
        String[] resumable = tiny(
                "--max-steps", "40",
                "--set", "pacer.adalrs.enabled=true",
                "--set", "pacer.adalrs.window=5",
                "--set", "pacer.adalrs.phase-start=0",
                "--set", "pacer.adalrs.phase-end=1",
                "--set", "pacer.adalrs.max-extra-compute=0.5",
                "--set", "pacer.train.eval-every=10",
                "--set", "pacer.checkpoint.every=10");
        Path dir = root.resolve("adalrs-stop-in-trial-and-resume");
        cases.add(new Case(
                "adalrs-stop-in-trial-and-resume",
                List.of(
                        invocation(dir, setup, concat(resumable, "--stop-after", "8")),
                        invocation(dir, setup, resumable))));
        return cases;
    }

    /** What computes the steps (torch or synthetic) and where the update runs (driver or sharded). */
    private record Setup(String compute, String update) {}

    private static Case one(Path root, String name, Setup setup, String... args) {
        return new Case(name, List.<String[]>of(invocation(root.resolve(name), setup, args)));
    }

    private static String[] invocation(Path dir, Setup setup, String... args) {
        List<String> out = new ArrayList<>(List.of(
                "pretrain",
                "--run-dir",
                dir.toString(),
                "--master",
                "local[2]",
                "--set",
                "pacer.engine.compute=" + setup.compute(),
                "--set",
                "pacer.spark.update=" + setup.update(),
                "--set",
                "pacer.spark.conf.spark.ui.enabled=false",
                "--set",
                "pacer.spark.conf.spark.driver.host=127.0.0.1",
                "--set",
                "pacer.spark.conf.spark.driver.bindAddress=127.0.0.1"));
        out.addAll(List.of(args));
        return out.toArray(String[]::new);
    }

    /** The LR-recovery sweep's tiny shape (docs/adalrs.md). */
    private static String[] tiny(String... args) {
        return concat(
                new String[] {
                    "--set", "pacer.model.preset=tiny",
                    "--set", "pacer.train.seq-len=64",
                    "--set", "pacer.train.global-batch=16",
                    "--set", "pacer.train.micro-batch=16"
                },
                args);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
