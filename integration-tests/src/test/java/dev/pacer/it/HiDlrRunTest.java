package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.cli.PacerCli;
import dev.pacer.hidlr.ParameterGroups;
import dev.pacer.model.TensorSpec;
import dev.pacer.run.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hi-DLR inside the training loop: probes every 4 steps after warmup log a fit per group and set
 * the per-group rates the next steps use; the frozen mode freezes the low-influence groups, whose
 * weights then never change; a run stopped between probes resumes exactly.
 */
class HiDlrRunTest {

    private static String[] run(Path dir, String... extra) {
        List<String> args = new ArrayList<>(List.of(TinyRun.pretrain(
                dir,
                "--max-steps",
                "24",
                "--set",
                "pacer.hidlr.enabled=true",
                "--set",
                "pacer.hidlr.every=4",
                "--set",
                "pacer.hidlr.min-r2=0.5",
                "--set",
                "pacer.hidlr.freeze.enabled=true",
                "--set",
                "pacer.hidlr.freeze.measure-probes=2",
                "--set",
                "pacer.hidlr.freeze.budget=0.5",
                "--set",
                "pacer.train.lr=5e-3",
                "--set",
                "pacer.checkpoint.keep=10")));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @TempDir
    Path tmp;

    @Test
    void probesSetGroupRatesFreezeLowInfluenceGroupsAndResumeExactly() throws IOException {
        Path a = tmp.resolve("straight");
        Path b = tmp.resolve("resumed");
        assertEquals(0, PacerCli.run(run(a)));
        assertEquals(0, PacerCli.run(run(b, "--stop-after", "10")));
        assertEquals(0, PacerCli.run(run(b)));

        // exact resume: metric rows, controller events and final weights
        List<ObjectNode> rows = TinyRun.deterministicRows(a);
        assertEquals(rows, TinyRun.deterministicRows(b));
        assertEquals(hidlrEvents(a), hidlrEvents(b));
        assertArrayEquals(
                Files.readAllBytes(a.resolve("checkpoints/step-0000024/model.safetensors")),
                Files.readAllBytes(b.resolve("checkpoints/step-0000024/model.safetensors")));

        List<JsonNode> probes = hidlrEvents(a).stream()
                .filter(e -> e.path("event").asText().equals("hidlr_probe"))
                .toList();
        // warmup is 2 steps; probes after steps 4, 8, .., 20 (none after the last step)
        assertEquals(
                List.of(4L, 8L, 12L, 16L, 20L),
                probes.stream().map(e -> e.get("step").asLong()).toList());
        assertEquals(6, probes.get(0).get("groups").size());
        for (JsonNode g : probes.get(0).get("groups")) {
            for (String f : List.of("group", "b", "A", "r2", "rate", "ppi", "accepted")) {
                assertTrue(g.has(f), f + " missing in " + g);
            }
        }
        assertTrue(
                probes.stream()
                        .flatMap(p -> stream(p.get("groups")))
                        .anyMatch(g -> g.get("accepted").asBoolean()),
                "no fit accepted in 5 probes");

        // the rates a probe sets are the rates of the steps that follow
        JsonNode first = probes.get(0);
        ObjectNode step5 = rows.get(4);
        double lr = step5.get("lr").asDouble();
        for (JsonNode g : first.get("groups")) {
            double rate = step5.get("lr_groups").get(g.get("group").asText()).asDouble();
            assertEquals(g.get("multiplier").asDouble() * lr, rate, 1e-12 * rate, g.toString());
        }

        // frozen mode: decided after the second probe (step 8); frozen groups have rate 0 and never move
        JsonNode freeze = hidlrEvents(a).stream()
                .filter(e -> e.path("event").asText().equals("hidlr_freeze"))
                .findFirst()
                .orElseThrow();
        assertEquals(8, freeze.get("step").asLong());
        Set<String> frozen = new HashSet<>();
        stream(freeze.get("groups"))
                .filter(g -> !g.get("kept").asBoolean())
                .forEach(g -> frozen.add(g.get("group").asText()));
        assertTrue(!frozen.isEmpty() && frozen.size() < 6, "frozen " + frozen);
        assertTrue(freeze.get("trainable_fraction").asDouble() <= 0.5 + 1e-9);
        for (String g : frozen) {
            assertEquals(0.0, rows.get(8).get("lr_groups").get(g).asDouble(), g);
        }
        TrainedModel atFreeze =
                TrainedModel.open(a.resolve("checkpoints/step-0000009").toString(), new Configuration(), w -> {});
        TrainedModel end =
                TrainedModel.open(a.resolve("checkpoints/step-0000024").toString(), new Configuration(), w -> {});
        ParameterGroups groups = ParameterGroups.of(end.layout(), ParameterGroups.Strategy.KIND);
        int changedTrainable = 0;
        for (int i = 0; i < end.layout().tensors().size(); i++) {
            TensorSpec t = end.layout().tensors().get(i);
            float[] before = java.util.Arrays.copyOfRange(atFreeze.weights(), t.offset(), t.offset() + t.size());
            float[] after = java.util.Arrays.copyOfRange(end.weights(), t.offset(), t.offset() + t.size());
            if (frozen.contains(groups.group(groups.groupOf(i)).name())) {
                assertArrayEquals(before, after, t.name() + " is frozen but changed");
            } else if (!java.util.Arrays.equals(before, after)) {
                changedTrainable++;
            }
        }
        assertNotEquals(0, changedTrainable, "the kept groups went on training");
    }

    /**
     * With AdaLRS's paired comparison, Hi-DLR's state belongs to the branch: the replayed trial
     * starts from the rates of the round's snapshot, a losing trial's probes are undone with its
     * weights, and a run stopped in the middle of the trial (the snapshot's Hi-DLR state in the
     * checkpoint) resumes exactly. On {@code compute = synthetic}: its loss is exactly quadratic,
     * so every probe's fit is accepted and the branches' decisions are the same on any CPU (on
     * libtorch, whether a fit passes min-r2 at one step can depend on the CPU's kernels).
     */
    @Test
    void pairedAdaLrsBranchesCarryTheirOwnHiDlrRatesAndResumeExactly() throws IOException {
        String[] both = {
            "--set", "pacer.engine.compute=synthetic",
            "--set", "pacer.hidlr.enabled=true",
            "--set", "pacer.hidlr.every=4",
            "--set", "pacer.hidlr.min-r2=0.5",
            "--set", "pacer.adalrs.enabled=true",
            "--set", "pacer.adalrs.comparison=paired",
            "--set", "pacer.adalrs.window=4",
            "--set", "pacer.adalrs.phase-start=0",
            "--set", "pacer.adalrs.phase-end=1",
            "--set", "pacer.adalrs.max-extra-compute=0.5",
            "--set", "pacer.train.warmup-fraction=0",
            "--set", "pacer.train.lr=2e-2",
            // the search at the given rate, so that the probes' fits move the rates from the start
            "--set", "pacer.adalrs.initial-scale=1"
        };
        Path a = tmp.resolve("paired-straight");
        Path b = tmp.resolve("paired-resumed");
        assertEquals(0, PacerCli.run(TinyRun.pretrain(a, concat(both, "--max-steps", "24"))));
        // round snapshot after step 1; base window 2-5; the trial replays 2-5: the 6th computed
        // step is the trial's step 2, after which the run continues from 2 completed steps
        assertEquals(0, PacerCli.run(TinyRun.pretrain(b, concat(both, "--max-steps", "24", "--stop-after", "6"))));
        JsonNode state = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(b.resolve("checkpoints/step-0000002/state.json").toFile());
        assertEquals("trial", state.get("adalrs").get("phase").asText());
        assertTrue(state.has("snapshot_hidlr"), "the snapshot's Hi-DLR state is not in the checkpoint");
        assertEquals(0, PacerCli.run(TinyRun.pretrain(b, concat(both, "--max-steps", "24"))));

        List<ObjectNode> rows = TinyRun.deterministicRows(a);
        assertEquals(rows, TinyRun.deterministicRows(b));
        assertEquals(hidlrEvents(a), hidlrEvents(b));
        assertArrayEquals(
                Files.readAllBytes(a.resolve("checkpoints/step-0000024/model.safetensors")),
                Files.readAllBytes(b.resolve("checkpoints/step-0000024/model.safetensors")));

        // the first replay: rows 1-5 are the base branch, rows 6-9 the trial replaying steps 2-5
        assertEquals(
                List.of(1L, 2L, 3L, 4L, 5L, 2L, 3L, 4L, 5L),
                rows.subList(0, 9).stream().map(r -> r.get("step").asLong()).toList());
        Map<String, Double> atSnapshot = multipliers(rows.get(0));
        // step 4's row shows the rates its probe set (step 5's, the replay decision's, the restored ones)
        assertNotEquals(atSnapshot, multipliers(rows.get(3)), "the base branch's probe after step 4 moved no rate");
        // the trial's step 2 probes nothing: its row shows the rates it ran at, the snapshot's
        assertClose(atSnapshot, multipliers(rows.get(5)), "the trial did not start from the snapshot's rates");

        // every trial that lost: the next step goes on with the rates the base branch ended with
        List<JsonNode> events = TinyRun.events(a);
        int checked = 0;
        for (int i = 0; i < events.size(); i++) {
            JsonNode d = events.get(i);
            String outcome = d.path("outcome").asText();
            if (!"adalrs".equals(d.path("event").asText())
                    || !List.of("reject", "neutral").contains(outcome)) {
                continue;
            }
            long decidedAt = d.get("step").asLong();
            long from = d.get("replayed_from").asLong();
            // the base branch's last probe inside the window is the first of its two occurrences
            JsonNode baseProbe = null;
            for (int j = 0; j < i; j++) {
                JsonNode e = events.get(j);
                long at = e.path("step").asLong();
                if ("hidlr_probe".equals(e.path("event").asText())
                        && at > from
                        && at <= decidedAt
                        && (baseProbe == null || at > baseProbe.get("step").asLong())) {
                    baseProbe = e;
                }
            }
            ObjectNode next = rowAfterDecision(rows, d);
            // a row carries the multipliers after its own step's probe: a step after the decision
            // that probes shows that probe's rates, not the restored ones
            boolean nextProbes = events.subList(i + 1, events.size()).stream()
                    .anyMatch(e -> "hidlr_probe".equals(e.path("event").asText())
                            && e.path("step").asLong() == decidedAt + 1);
            if (baseProbe == null || next == null || nextProbes) {
                continue;
            }
            Map<String, Double> expected = new java.util.TreeMap<>();
            baseProbe
                    .get("groups")
                    .forEach(g -> expected.put(
                            g.get("group").asText(), g.get("multiplier").asDouble()));
            assertClose(expected, multipliers(next), "after the " + outcome + " at step " + decidedAt);
            checked++;
        }
        assertTrue(checked > 0, "no losing trial with a probe in its base window in 24 steps");
    }

    /** The metric row of the step after decision {@code d}: the first row numbered one past it, after its trial's rows. */
    private static ObjectNode rowAfterDecision(List<ObjectNode> rows, JsonNode d) {
        long decidedAt = d.get("step").asLong();
        int seen = 0;
        for (ObjectNode r : rows) {
            long step = r.get("step").asLong();
            if (step == decidedAt) {
                seen++;
            } else if (step == decidedAt + 1 && seen >= 2) {
                return r;
            }
        }
        return null;
    }

    /** Same groups, multipliers equal within 1e-9 relative (rates are multiplier x lr, rounded). */
    private static void assertClose(Map<String, Double> expected, Map<String, Double> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.get(e.getKey()), 1e-9 * e.getValue(), what + ", group " + e.getKey());
        }
    }

    /** Each group's rate over the step's base rate. */
    private static Map<String, Double> multipliers(ObjectNode row) {
        double lr = row.get("lr").asDouble();
        Map<String, Double> out = new java.util.TreeMap<>();
        row.get("lr_groups")
                .fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble() / lr));
        return out;
    }

    private static String[] concat(String[] a, String... b) {
        List<String> out = new ArrayList<>(List.of(a));
        out.addAll(List.of(b));
        return out.toArray(String[]::new);
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out.stream();
    }

    /** Hi-DLR's probe and freeze events without their wall-clock fields (a resume announces its plan again). */
    private static List<JsonNode> hidlrEvents(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : TinyRun.events(run)) {
            if (e.path("event").asText().startsWith("hidlr")
                    && !e.path("event").asText().equals("hidlr_plan")) {
                ObjectNode c = ((ObjectNode) e).deepCopy();
                c.remove(List.of("probe_ms", "overhead"));
                out.add(c);
            }
        }
        return out;
    }
}
