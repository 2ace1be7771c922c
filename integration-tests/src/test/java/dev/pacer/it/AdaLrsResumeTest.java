package dev.pacer.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.cli.PacerCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AdaLRS inside the training loop: a run killed in the middle of a trial (stopped there, its
 * checkpoint holding the controller state and the trial's snapshot) and resumed makes the same
 * decisions, metric rows and final weights as the uninterrupted run.
 */
class AdaLrsResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] run(Path dir, String... extra) {
        List<String> args = new ArrayList<>(List.of(TinyRun.pretrain(
                dir,
                "--max-steps",
                "24",
                "--set",
                "pacer.adalrs.enabled=true",
                "--set",
                "pacer.adalrs.window=3",
                "--set",
                "pacer.adalrs.phase-start=0",
                "--set",
                "pacer.adalrs.phase-end=1",
                "--set",
                "pacer.adalrs.comparison=velocity",
                "--set",
                "pacer.train.lr=5e-3")));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @TempDir
    Path tmp;

    @Test
    void runStoppedInTheMiddleOfATrialResumesExactly() throws IOException {
        Path a = tmp.resolve("straight");
        Path b = tmp.resolve("resumed");
        assertEquals(0, PacerCli.run(run(a)));
        // warmup 2 steps; base window steps 3-5; trial settles at 6 and measures 7-9
        assertEquals(0, PacerCli.run(run(b, "--stop-after", "7")));
        JsonNode state =
                JSON.readTree(b.resolve("checkpoints/step-0000007/state.json").toFile());
        assertEquals("trial", state.get("adalrs").get("phase").asText());
        assertTrue(Files.exists(b.resolve("checkpoints/step-0000007/snapshot.safetensors")));
        assertEquals(0, PacerCli.run(run(b)));

        assertEquals(rows(a), rows(b));
        assertArrayEquals(
                Files.readAllBytes(a.resolve("checkpoints/step-0000024/model.safetensors")),
                Files.readAllBytes(b.resolve("checkpoints/step-0000024/model.safetensors")));
        List<JsonNode> decisionsA = decisions(a);
        assertFalse(decisionsA.isEmpty(), "no AdaLRS decision in 24 steps");
        assertEquals(decisionsA, decisions(b));
        for (JsonNode d : decisionsA) {
            for (String f : List.of("step", "round", "outcome", "old_level", "new_level")) {
                assertTrue(d.has(f), f + " missing in " + d);
            }
        }
        ObjectNode row = rows(a).get(8);
        assertTrue(row.has("lr_level") && row.has("adalrs_phase"), row.toString());
    }

    @Test
    void pairedRunStoppedInTheMiddleOfAReplayedTrialResumesExactly() throws IOException {
        String[] paired = {"--set", "pacer.adalrs.comparison=paired", "--set", "pacer.adalrs.max-extra-compute=0.5"};
        Path a = tmp.resolve("paired-straight");
        Path b = tmp.resolve("paired-resumed");
        assertEquals(0, PacerCli.run(run(a, paired)));
        // warmup 2 steps, round snapshot after step 2, base window 3-5, the trial replays 3-5:
        // the 7th computed step is the trial's step 4
        List<String> stopped = new ArrayList<>(List.of(paired));
        stopped.addAll(List.of("--stop-after", "7"));
        assertEquals(0, PacerCli.run(run(b, stopped.toArray(String[]::new))));
        JsonNode state =
                JSON.readTree(b.resolve("checkpoints/step-0000004/state.json").toFile());
        assertEquals("trial", state.get("adalrs").get("phase").asText());
        assertTrue(Files.exists(b.resolve("checkpoints/step-0000004/snapshot.safetensors")));
        assertEquals(0, PacerCli.run(run(b, paired)));

        List<ObjectNode> rowsA = rows(a);
        assertEquals(rowsA, rows(b));
        assertEquals(decisions(a), decisions(b));
        assertArrayEquals(
                Files.readAllBytes(a.resolve("checkpoints/step-0000024/model.safetensors")),
                Files.readAllBytes(b.resolve("checkpoints/step-0000024/model.safetensors")));
        // the replayed steps are rows of their own: step numbers repeat, tokens only grow
        assertEquals(
                List.of(1L, 2L, 3L, 4L, 5L, 3L, 4L, 5L),
                rowsA.subList(0, 8).stream().map(r -> r.get("step").asLong()).toList());
        long replayed = rowsA.size() - 24;
        long counted = decisions(a).stream()
                .mapToLong(d -> d.path("extra_steps").asLong())
                .max()
                .orElse(-1);
        assertEquals(replayed, counted, "replayed steps against the controller's count");
        assertTrue(replayed > 0 && replayed <= 12, "replayed " + replayed);
        for (int i = 1; i < rowsA.size(); i++) {
            assertTrue(
                    rowsA.get(i).get("tokens").asLong()
                            > rowsA.get(i - 1).get("tokens").asLong(),
                    "row " + i);
        }
        List<JsonNode> trials = decisions(a).stream()
                .filter(d -> List.of("accept", "reject", "neutral")
                        .contains(d.path("outcome").asText()))
                .toList();
        assertFalse(trials.isEmpty(), "no trial decided in 24 steps");
        assertTrue(
                trials.stream()
                        .allMatch(d -> "paired".equals(d.path("comparison").asText())),
                trials.toString());
    }

    private static List<ObjectNode> rows(Path run) throws IOException {
        return TinyRun.deterministicRows(run);
    }

    private static List<JsonNode> decisions(Path run) throws IOException {
        return TinyRun.events(run).stream()
                .filter(e -> "adalrs".equals(e.path("event").asText()))
                .toList();
    }
}
