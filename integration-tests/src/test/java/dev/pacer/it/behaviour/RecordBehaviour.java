package dev.pacer.it.behaviour;

import dev.pacer.cli.PacerCli;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs every {@link BehaviourCases} case and writes its {@link RunFingerprint} to
 * {@code OUT/NAME/}: {@code bench/behaviour-record.sh OUT torch|synthetic}. The synthetic
 * fingerprints, recorded before the driver was restructured, are the test resources of
 * {@link BehaviourRegressionTest}.
 */
public final class RecordBehaviour {

    private RecordBehaviour() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: RecordBehaviour OUT_DIR torch|synthetic");
            System.exit(2);
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        Path runs = Files.createDirectories(out.resolve("runs"));
        for (BehaviourCases.Case c : BehaviourCases.all(runs, args[1])) {
            for (String[] invocation : c.invocations()) {
                int code = PacerCli.run(invocation);
                if (code != 0) {
                    throw new IllegalStateException(c.name() + " exited with " + code);
                }
            }
            RunFingerprint.of(runs.resolve(c.name())).write(out.resolve(c.name()));
            System.out.println("recorded " + c.name());
        }
    }
}
