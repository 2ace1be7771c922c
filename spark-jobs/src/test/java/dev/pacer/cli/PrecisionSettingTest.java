package dev.pacer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.engine.Precision;
import dev.pacer.run.PacerSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pacer.train.precision, pacer.spark.gradient-encoding and weight-encoding: values, refusals, digest. */
class PrecisionSettingTest {

    @TempDir
    Path dir;

    private static PacerSettings load(String hocon) {
        return PacerSettings.load(ConfigFactory.parseString(hocon));
    }

    private String refusal(String key, String value, String... otherSets) {
        StringWriter err = new StringWriter();
        List<String> args =
                new ArrayList<>(List.of("pretrain", "--run-dir", dir.toString(), "--set", key + "=" + value));
        for (String other : otherSets) {
            args.add("--set");
            args.add(other);
        }
        int code = PacerCli.run(new PrintWriter(err, true), args.toArray(String[]::new));
        assertEquals(2, code, err.toString());
        assertTrue(SparkSession.getDefaultSession().isEmpty(), "a Spark session was started");
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        return err.toString();
    }

    @Test
    void defaultsAreFp32AndBothValuesParse() {
        PacerSettings defaults = load("");
        assertEquals(Precision.FP32, defaults.precision());
        assertEquals(Precision.FP32, defaults.gradientEncoding());
        PacerSettings bf16 = load("pacer.train.precision = bf16\npacer.spark.gradient-encoding = bf16");
        assertEquals(Precision.BF16, bf16.precision());
        assertEquals(Precision.BF16, bf16.gradientEncoding());
        assertEquals(Precision.FP32, defaults.weightEncoding());
        assertEquals(
                Precision.BF16,
                load("pacer.train.precision = bf16\npacer.spark.update = sharded\npacer.spark.weight-encoding = bf16")
                        .weightEncoding());
    }

    /** bf16 weights only where they change nothing computed: sharded update, bf16 compute. */
    @Test
    void bf16WeightsAreRefusedWithoutTheShardedUpdateAndBf16Compute() {
        String unknown = refusal("pacer.spark.weight-encoding", "fp8");
        assertTrue(unknown.contains("pacer.spark.weight-encoding = \"fp8\": expected fp32 or bf16"), unknown);
        String driver = refusal("pacer.spark.weight-encoding", "bf16", "pacer.train.precision=bf16");
        assertTrue(driver.contains("applies to pacer.spark.update = sharded"), driver);
        String fp32 = refusal("pacer.spark.weight-encoding", "bf16", "pacer.spark.update=sharded");
        assertTrue(fp32.contains("needs pacer.train.precision = bf16"), fp32);
    }

    @Test
    void unknownValuesAreRefusedInOneLineBeforeSpark() {
        String precision = refusal("pacer.train.precision", "fp16");
        assertTrue(precision.contains("pacer.train.precision = \"fp16\": expected fp32 or bf16"), precision);
        String encoding = refusal("pacer.spark.gradient-encoding", "int8");
        assertTrue(encoding.contains("pacer.spark.gradient-encoding = \"int8\": expected fp32 or bf16"), encoding);
    }

    /**
     * Both shape the trajectory, so bf16 changes the digest; fp32 leaves it as runs recorded it
     * before the keys existed (the behaviour fingerprints of integration-tests hold such digests).
     */
    @Test
    void bf16ChangesTheDigestAndFp32DoesNot() {
        String base = load("").digest();
        assertEquals(base, load("pacer.train.precision = fp32").digest());
        assertNotEquals(base, load("pacer.train.precision = bf16").digest());
        assertNotEquals(base, load("pacer.spark.gradient-encoding = bf16").digest());
        assertEquals(base, load("pacer.spark.weight-encoding = fp32").digest());
    }
}
