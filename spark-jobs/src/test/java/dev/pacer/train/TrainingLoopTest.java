package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.hidlr.ParameterGroups;
import dev.pacer.model.TensorSpec;
import dev.pacer.run.RunState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real training loop driven without Spark ({@link LocalRun}: in-memory backend, synthetic
 * compute, identical on every CPU), through AdaLRS's rollback and paired replay, Hi-DLR's probes
 * and frozen groups, divergence, checkpoint cadence and resume. Where a case depends on a
 * controller's decision, the synthetic loss (exactly quadratic, hashed batch noise) forces it
 * the same way on any machine.
 */
class TrainingLoopTest {

    @TempDir
    Path tmp;

    /** Paired AdaLRS: a round every 4 steps from the start, room for several replays. */
    private static final String PAIRED = String.join(
            "\n",
            "pacer.train.max-steps = 40",
            "pacer.adalrs.enabled = true",
            "pacer.adalrs.window = 4",
            "pacer.adalrs.phase-start = 0",
            "pacer.adalrs.phase-end = 1",
            "pacer.adalrs.max-extra-compute = 0.5",
            "pacer.train.warmup-fraction = 0",
            "pacer.checkpoint.every = 5");

    private static final String HIDLR = String.join(
            "\n",
            "pacer.hidlr.enabled = true",
            "pacer.hidlr.every = 2",
            "pacer.hidlr.min-r2 = 0.5",
            "pacer.train.lr = 2e-2");

    @Test
    void aRunStoppedInsideAPairedTrialResumesExactly() throws IOException {
        LocalRun straight = new LocalRun(tmp.resolve("a"), PAIRED);
        RunState end = straight.invoke(0);
        LocalRun stopped = new LocalRun(tmp.resolve("b"), PAIRED);
        // round 1: snapshot after step 0, base window steps 1-4, trial replays them as the
        // 5th-8th computed steps: stopping after 6 stops inside the trial
        stopped.invoke(6);
        assertEquals("trial", stopped.records.get(5).phase(), "the stop must fall inside a trial");
        RunState resumed = new LocalRun(tmp.resolve("b"), PAIRED).invoke(0);

        assertEquals(end.step(), resumed.step());
        assertEquals(end.tokens(), resumed.tokens());
        assertArrayEquals(straight.weightsAt(40), new LocalRun(tmp.resolve("b"), PAIRED).weightsAt(40));
        assertEquals(straight.weightsAt(40).length, new LocalRun(tmp.resolve("b"), PAIRED).weightsAt(40).length);
        assertArrayEquals(straight.weightsAt(40), new LocalRun(tmp.resolve("b"), PAIRED).weightsAt(40));
    }

    @Test
    void aStopInsideATrialSupersedesTheBaseBranchsLaterCheckpoints() throws IOException {
        String every3 = PAIRED + "\npacer.checkpoint.every = 3";
        LocalRun straight = new LocalRun(tmp.resolve("a3"), every3);
        straight.invoke(0);
        LocalRun stopped = new LocalRun(tmp.resolve("b3"), every3);
        // the base branch checkpoints step 3; the 6th computed step is the trial's step 2
        stopped.invoke(6);
        assertEquals(List.of(3L, 2L), stopped.checkpoints);
        LocalRun resumed = new LocalRun(tmp.resolve("b3"), every3);
        resumed.invoke(0);
        // the resume continues from the stop: nothing is computed twice
        assertEquals(straight.records.size() - 6, resumed.records.size());
        assertEquals(
                straight.records.subList(6, straight.records.size()).stream()
                        .map(StepRecord::loss)
                        .toList(),
                resumed.records.stream().map(StepRecord::loss).toList());
    }

    @Test
    void pairedReplayRepeatsTheBaseWindowsStepsAndTheWinnerGoesOn() throws IOException {
        LocalRun run = new LocalRun(tmp.resolve("r"), PAIRED);
        run.invoke(0);
        List<Long> steps = run.records.stream().map(StepRecord::step).toList();
        // base window 1..4 (after the snapshot at 0 and step 1), then the trial replays 1..4
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 2L, 3L, 4L, 5L), steps.subList(0, 9));
        List<ObjectNode> decisions = run.events("adalrs");
        assertFalse(decisions.isEmpty());
        for (ObjectNode d : decisions) {
            double oldLevel = d.get("old_level").asDouble();
            double newLevel = d.get("new_level").asDouble();
            String outcome = d.get("outcome").asText();
            // the level goes on with the winner's: the trial's on accept, the base's otherwise
            if (outcome.equals("accept")) {
                assertTrue(newLevel > oldLevel, d.toString());
            } else {
                assertEquals(oldLevel, newLevel, d.toString());
            }
        }
        // each decision's next step runs at the level it decided
        for (ObjectNode d : decisions) {
            StepRecord next = rowAfter(run.records, d);
            if (next != null) {
                assertEquals(d.get("new_level").asDouble(), next.level(), 1e-15, d.toString());
            }
        }
    }

    /** A warmup race of 4 steps between levels 1 and 0.1 (the search's phase from step 20). */
    private static final String RACE = PAIRED
            + "\npacer.adalrs.initial-scale = 0.1\npacer.adalrs.race-steps = 4\npacer.adalrs.race-factor = 10"
            + "\npacer.adalrs.phase-start = 0.5";

    @Test
    void aWarmupRaceReplaysItsStepsAtTheLowerLevelAndTheWinnerGoesOnIntoTheSearch() throws IOException {
        LocalRun run = new LocalRun(tmp.resolve("race"), RACE);
        run.invoke(0);
        List<Long> steps = run.records.stream().map(StepRecord::step).toList();
        // the race: snapshot after step 1, the higher branch runs 2..5, the lower replays 2..5
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 2L, 3L, 4L, 5L, 6L), steps.subList(0, 10));
        List<Double> levels = run.records.stream().map(StepRecord::level).toList();
        assertEquals(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1), levels.subList(0, 9));
        ObjectNode race = run.events("adalrs").get(0);
        assertTrue(race.get("race").asBoolean(), race.toString());
        assertEquals(1, race.get("replayed_from").asLong());
        assertEquals(0.1, race.get("trial_level").asDouble(), 1e-15);
        // the winner's level runs the search's first round, which starts at once (not at step 20)
        for (StepRecord r : run.records.subList(9, 13)) {
            assertEquals(race.get("new_level").asDouble(), r.level(), 1e-15, "step " + r.step());
        }
        assertEquals(5, run.events("adalrs").get(1).get("replayed_from").asLong(), "the search's first round");
    }

    @Test
    void aRunStoppedInsideTheWarmupRaceResumesExactly() throws IOException {
        LocalRun straight = new LocalRun(tmp.resolve("ra"), RACE);
        straight.invoke(0);
        // the 7th computed step is the lower branch's step 3
        LocalRun stopped = new LocalRun(tmp.resolve("rb"), RACE);
        stopped.invoke(7);
        assertEquals("trial", stopped.records.get(6).phase());
        new LocalRun(tmp.resolve("rb"), RACE).invoke(0);
        assertArrayEquals(straight.weightsAt(40), new LocalRun(tmp.resolve("rb"), RACE).weightsAt(40));
    }

    @Test
    void aReplayedTrialStartsFromTheSnapshotsGroupRatesAndALosingBranchsProbesAreUndone() throws IOException {
        // probes after steps 4, 8, ...; rounds snapshot after steps 1, 5, 9, ...
        LocalRun run = new LocalRun(
                tmp.resolve("h"), PAIRED + "\n" + HIDLR + "\npacer.hidlr.every = 4\npacer.adalrs.initial-scale = 1");
        run.invoke(0);
        List<StepRecord> rows = run.records;
        // rows 1-5: the base branch (step 1, then the window 2-5), rows 6-9: the trial replaying 2-5
        assertEquals(
                List.of(1L, 2L, 3L, 4L, 5L, 2L, 3L, 4L, 5L),
                rows.subList(0, 9).stream().map(StepRecord::step).toList());
        Map<String, Double> atSnapshot = multipliers(rows.get(0));
        // row 4 (step 4) shows the rates its probe set; the row of step 5 is the one the replay
        // decision is taken on and shows the restored rates
        assertNotEquals(atSnapshot, multipliers(rows.get(3)), "the base branch's probe after step 4 moved no rate");
        // the trial's replay of step 2 (no probe: its row shows the rates it ran at) starts
        // from the snapshot's rates, not from where the base branch's probe left them
        assertEquals(atSnapshot, multipliers(rows.get(5)));
        int checked = 0;
        Set<Long> probed = new LinkedHashSet<>();
        run.events("hidlr_probe").forEach(p -> probed.add(p.get("step").asLong()));
        for (int i = 0; i < run.events.size(); i++) {
            ObjectNode d = run.events.get(i);
            if (!"adalrs".equals(d.path("event").asText())
                    || d.get("outcome").asText().equals("accept")
                    || !d.has("replayed_from")) {
                continue;
            }
            // the base branch won: the next step (unless it probes) runs at the rates the base
            // branch's last probe set, so the trial's probes left nothing behind
            int next = rowIndexAfter(rows, d);
            ObjectNode baseProbe = lastBaseProbe(run.events.subList(0, i), d);
            if (next < 0 || baseProbe == null || probed.contains(rows.get(next).step())) {
                continue;
            }
            Map<String, Double> expected = new java.util.TreeMap<>();
            baseProbe
                    .get("groups")
                    .forEach(g -> expected.put(
                            g.get("group").asText(), g.get("multiplier").asDouble()));
            assertClose(expected, multipliers(rows.get(next)), "after " + d);
            checked++;
        }
        assertTrue(checked > 0, "no losing trial to check in " + run.events("adalrs"));
    }

    @Test
    void probesFitExactlyAndFrozenGroupsNeverMove() throws IOException {
        String frozen = HIDLR + "\npacer.train.max-steps = 24\npacer.hidlr.every = 4\npacer.checkpoint.every = 4\n"
                + "pacer.hidlr.freeze.enabled = true\npacer.hidlr.freeze.measure-probes = 2\n"
                + "pacer.hidlr.freeze.budget = 0.5";
        LocalRun run = new LocalRun(tmp.resolve("f"), frozen);
        run.invoke(0);
        List<ObjectNode> probes = run.events("hidlr_probe");
        assertEquals(
                List.of(4L, 8L, 12L, 16L, 20L),
                probes.stream().map(p -> p.get("step").asLong()).toList());
        // the synthetic loss is exactly quadratic along any direction: every fit is perfect
        for (JsonNode g : probes.get(0).get("groups")) {
            assertEquals(1.0, g.get("r2").asDouble(), 1e-9, g.toString());
            assertTrue(g.get("accepted").asBoolean(), g.toString());
        }
        ObjectNode freeze = run.events("hidlr_freeze").get(0);
        assertEquals(8, freeze.get("step").asLong());
        Set<String> frozenGroups = new LinkedHashSet<>();
        freeze.get("groups").forEach(g -> {
            if (!g.get("kept").asBoolean()) {
                frozenGroups.add(g.get("group").asText());
            }
        });
        assertFalse(frozenGroups.isEmpty());
        float[] atFreeze = run.weightsAt(8);
        float[] end = run.weightsAt(24);
        ParameterGroups groups = ParameterGroups.of(run.layout, ParameterGroups.Strategy.KIND);
        for (int t = 0; t < run.layout.tensors().size(); t++) {
            TensorSpec spec = run.layout.tensors().get(t);
            float[] a = Arrays.copyOfRange(atFreeze, spec.offset(), spec.offset() + spec.size());
            float[] b = Arrays.copyOfRange(end, spec.offset(), spec.offset() + spec.size());
            if (frozenGroups.contains(groups.group(groups.groupOf(t)).name())) {
                assertArrayEquals(a, b, spec.name() + " is frozen but moved");
                assertEquals(
                        0.0,
                        run.records
                                .get(9)
                                .groupRates()
                                .get(groups.group(groups.groupOf(t)).name()));
            }
        }
    }

    @Test
    void aNonFiniteLossStopsARunWithoutAdaLrsAndRollsBackWithIt() throws IOException {
        // the 7th computed step's loss comes back NaN, as from an overflowing kernel
        TrainingDivergedException e = assertThrows(
                TrainingDivergedException.class,
                () -> new LocalRun(tmp.resolve("d1"), "pacer.train.max-steps = 20").invoke(0, nanAt(7)));
        assertTrue(
                e.getMessage().contains("diverged at step 7") && e.getMessage().contains("lower pacer.train.lr"),
                e.getMessage());

        // in the paired search's first base window (steps 2-5): back to the round's snapshot, lower
        LocalRun guarded = new LocalRun(tmp.resolve("d2"), PAIRED);
        RunState end = guarded.invoke(0, nanAt(3));
        assertEquals(40, end.step());
        ObjectNode diverged = guarded.events("adalrs").stream()
                .filter(d -> d.get("outcome").asText().equals("diverged"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no divergence decided: " + guarded.events("adalrs")));
        assertTrue(
                diverged.get("new_level").asDouble() < diverged.get("old_level").asDouble(), diverged.toString());
        // the run went on from the snapshot at the lower level, every later loss finite
        int at = guarded.records.indexOf(guarded.records.stream()
                .filter(r -> Double.isNaN(r.loss()))
                .findFirst()
                .orElseThrow());
        StepRecord next = guarded.records.get(at + 1);
        assertEquals(diverged.get("new_level").asDouble(), next.level(), 0.0);
        guarded.records
                .subList(at + 1, guarded.records.size())
                .forEach(r -> assertTrue(Double.isFinite(r.loss()), "step " + r.step()));
    }

    /** A source whose {@code call}-th gradient call reports a NaN loss. */
    private static java.util.function.UnaryOperator<GradientSource> nanAt(int call) {
        return source -> new GradientSource() {
            private int calls;

            @Override
            public List<StepResult> gradients(float[] w, long step, boolean[] trainable, String label) {
                List<StepResult> parts = source.gradients(w, step, trainable, label);
                if (++calls != call) {
                    return parts;
                }
                StepResult first = parts.get(0);
                List<StepResult> out = new ArrayList<>(parts);
                out.set(
                        0,
                        new StepResult(
                                first.partition(),
                                first.gradients(),
                                Double.NaN,
                                first.tokens(),
                                first.computeNanos()));
                return out;
            }

            @Override
            public List<StepResult> validation(float[] w, String label) {
                return source.validation(w, label);
            }

            @Override
            public List<ProbeResult> probe(
                    float[] w, float[] d, dev.pacer.hidlr.ProbePlan plan, long step, int sequences, String label) {
                return source.probe(w, d, plan, step, sequences, label);
            }

            @Override
            public int partitions() {
                return source.partitions();
            }

            @Override
            public double lastSendMs() {
                return 0;
            }
        };
    }

    @Test
    void checkpointsFollowTheCadenceAndNeverRepeatAReplayedStep() throws IOException {
        LocalRun run = new LocalRun(tmp.resolve("c"), PAIRED);
        run.invoke(0);
        List<Long> expected = new ArrayList<>();
        for (long s = 5; s <= 40; s += 5) {
            expected.add(s);
        }
        assertEquals(expected, run.checkpoints);
        LocalRun partial = new LocalRun(tmp.resolve("c2"), PAIRED);
        partial.invoke(7);
        // the invocation's last step is checkpointed too, wherever it stops
        long last = partial.records.get(partial.records.size() - 1).step();
        assertEquals(last, (long) partial.checkpoints.get(partial.checkpoints.size() - 1));
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Double> multipliers(StepRecord r) {
        Map<String, Double> m = new java.util.TreeMap<>();
        r.groupRates().forEach((g, rate) -> m.put(g, rate / r.lr()));
        return m;
    }

    /**
     * The base branch's last probe inside decision {@code d}'s round: the latest probe step in
     * (round start, decision], at its first occurrence (the base branch runs before the replay).
     */
    private static ObjectNode lastBaseProbe(List<ObjectNode> before, JsonNode d) {
        long from = d.get("replayed_from").asLong();
        long to = d.get("step").asLong();
        ObjectNode best = null;
        for (ObjectNode e : before) {
            long at = e.path("step").asLong();
            if ("hidlr_probe".equals(e.path("event").asText())
                    && at > from
                    && at <= to
                    && (best == null || at > best.get("step").asLong())) {
                best = e;
            }
        }
        return best;
    }

    private static void assertClose(Map<String, Double> expected, Map<String, Double> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((g, m) -> assertEquals(m, actual.get(g), 1e-12 * m, what + ": " + g));
    }

    private static int firstIndexOf(List<StepRecord> rows, long step) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).step() == step) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the first row numbered one past decision {@code d}'s step, after its trial's rows. */
    private static int rowIndexAfter(List<StepRecord> rows, JsonNode d) {
        long decidedAt = d.get("step").asLong();
        int seen = 0;
        for (int i = 0; i < rows.size(); i++) {
            long step = rows.get(i).step();
            if (step == decidedAt) {
                seen++;
            } else if (step == decidedAt + 1 && seen >= 2) {
                return i;
            }
        }
        return -1;
    }

    private static StepRecord rowAfter(List<StepRecord> rows, JsonNode d) {
        int i = rowIndexAfter(rows, d);
        return i < 0 ? null : rows.get(i);
    }
}
