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
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pacer.train.precision and pacer.spark.gradient-encoding: values, refusals, digest. */
class PrecisionSettingTest {

    @TempDir
    Path dir;

    private static PacerSettings load(String hocon) {
        return PacerSettings.load(ConfigFactory.parseString(hocon));
    }

    private String refusal(String key, String value) {
        StringWriter err = new StringWriter();
        int code = PacerCli.run(
                new PrintWriter(err, true), "pretrain", "--run-dir", dir.toString(), "--set", key + "=" + value);
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
    }
}
