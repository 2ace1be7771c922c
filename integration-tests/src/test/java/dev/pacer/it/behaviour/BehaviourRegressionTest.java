package dev.pacer.it.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pacer.cli.PacerCli;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The driver's behaviour against fingerprints recorded before it was restructured: metric rows,
 * events and checkpoint bytes of every {@link BehaviourCases} case must be identical. The cases
 * run on {@code compute = synthetic}, whose numbers are the same on every CPU, so the comparison
 * is bit for bit on any machine; a change anywhere in the driver (loop, controllers, optimizers,
 * checkpoints, data order) shows up as a differing line.
 */
class BehaviourRegressionTest {

    private static final Path FIXTURES = Path.of("src/test/resources/behaviour");

    @TempDir
    static Path runs;

    static Stream<Arguments> cases() {
        return Stream.of("driver", "sharded")
                .flatMap(update -> BehaviourCases.all(runs.resolve(update), "synthetic", update).stream()
                        .map(c -> Arguments.of(update, c)));
    }

    /**
     * Both places of the update against the same fingerprints: the sharded update must compute
     * what the driver-held one computed before the restructure, through Spark's block manager.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void outputsMatchTheRecordedFingerprint(String update, BehaviourCases.Case c) throws IOException {
        Path root = runs.resolve(update);
        for (String[] invocation : c.invocations()) {
            assertEquals(0, PacerCli.run(invocation), c.name());
        }
        RunFingerprint expected = RunFingerprint.read(FIXTURES.resolve(c.name()));
        RunFingerprint actual = RunFingerprint.of(root.resolve(c.name()));
        assertLines(expected.rows(), actual.rows(), c.name() + " metric rows");
        assertLines(expected.events(), actual.events(), c.name() + " events");
        assertLines(expected.checkpoints(), actual.checkpoints(), c.name() + " checkpoints");
    }

    /** Line by line, so a failure names the first line that differs. */
    private static void assertLines(List<String> expected, List<String> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), what + ", line " + (i + 1));
        }
        assertEquals(expected.size(), actual.size(), what + ": line count");
    }
}
