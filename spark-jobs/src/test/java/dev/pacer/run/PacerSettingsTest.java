package dev.pacer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.config.ConfigError;
import dev.pacer.model.ModelPreset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PacerSettingsTest {

    private static PacerSettings load(String hocon) {
        return PacerSettings.load(ConfigFactory.parseString(hocon));
    }

    private static String error(String hocon) {
        return assertThrows(ConfigError.class, () -> load(hocon)).getMessage();
    }

    @Test
    void defaultsLoadAndAreDocumentedValues() {
        PacerSettings s = load("");
        assertEquals(ModelPreset.SMALL, s.model().preset());
        assertEquals("cosine", s.train().schedule().id());
        assertEquals("adamw", s.optimizer().spec().id());
        assertTrue(s.data().bundled());
    }

    @Test
    void unknownKeyNamesTheKeyAndTheNearestValidOne() {
        String m = error("pacer.train.lrr = 0.1");
        assertTrue(m.contains("'pacer.train.lrr'"), m);
        assertTrue(m.contains("did you mean 'pacer.train.lr'"), m);
        String m2 = error("pacer.modle.preset = tiny");
        assertTrue(m2.contains("did you mean 'pacer.model.preset'"), m2);
    }

    @Test
    void negativeLearningRateIsRefusedWithItsKey() {
        String m = error("pacer.train.lr = -0.001");
        assertTrue(m.startsWith("pacer.train.lr = -0.001"), m);
        assertTrue(m.contains("> 0"), m);
    }

    @Test
    void wrongTypeNamesTheKey() {
        String m = error("pacer.train.max-steps = lots");
        assertTrue(m.contains("max-steps"), m);
        assertTrue(m.contains("wrong type"), m);
    }

    @Test
    void crossSettingChecks() {
        assertTrue(error("pacer.model.preset = tiny\npacer.train.seq-len = 65").contains("context is 64"));
        assertTrue(error("pacer.spark.partitions = 64").contains("global-batch"));
        assertTrue(error("pacer.model.preset = medium").contains("tiny, small, gpt2-124m"));
        assertEquals(
                "pacer.hidlr.grouping = \"layer\": expected one of kind, block, tensor",
                error("pacer.hidlr.grouping = layer"));
        assertTrue(error("pacer.hidlr.offsets = [1, 1, 2]").contains("pacer.hidlr.offsets"));
        assertTrue(error("pacer.hidlr.max-overhead = 0").contains("pacer.hidlr.max-overhead"));
        assertTrue(error("pacer.hidlr.max-multiplier = 0.5").contains("expected a finite factor >= 1"));
        assertTrue(error("pacer.hidlr.mode = relative").contains("auto, absolute, shape"));
        assertTrue(error("pacer.hidlr.freeze.enabled = true").contains("needs pacer.hidlr.enabled = true"));
        assertTrue(error("pacer.hidlr.enabled = true\npacer.hidlr.freeze.rule = best")
                .contains("budget, threshold"));
        // group names are checked against the model before Spark starts
        assertTrue(error("pacer.hidlr { enabled = true, initial-multipliers.embeddings = 2 }")
                .startsWith("pacer.hidlr.initial-multipliers.embeddings: no such parameter group under grouping kind"));
        assertEquals(
                2.0,
                load("pacer.hidlr { enabled = true, grouping = block, initial-multipliers.embeddings = 2 }")
                        .hidlr()
                        .initialMultipliers()
                        .get("embeddings"));
        assertTrue(error("pacer.hidlr.initial-multipliers.norm = 2")
                .contains("initial-multipliers is set but pacer.hidlr.enabled = false"));
        assertTrue(error("pacer.hidlr.enabled = true\npacer.hidlr.initial-multipliers.norm = fast")
                .startsWith("pacer.hidlr.initial-multipliers.norm: expected a number"));
        assertEquals(
                Map.of("norm", 2.0, "token-embedding", 0.5),
                load("pacer.hidlr.enabled = true\n"
                                + "pacer.hidlr.initial-multipliers { norm = 2, token-embedding = 0.5 }")
                        .hidlr()
                        .initialMultipliers());
        assertTrue(error("pacer.adalrs.window = 2").contains("pacer.adalrs.window"));
        assertTrue(error("pacer.adalrs.comparison = pair").contains("paired, velocity"));
        assertTrue(error("pacer.adalrs.during-warmup = true\npacer.adalrs.comparison = velocity")
                .contains("needs comparison = \"paired\""));
        assertTrue(error("pacer.train.schedule = linear").contains("cosine, constant, wsd"));
    }

    @Test
    void sparkConfIsAnOpenMapPassedThrough() {
        PacerSettings s = load("pacer.spark.conf { \"spark.ui.enabled\" = false, spark.task.cpus = 2 }");
        assertEquals("false", s.sparkConf().get("spark.ui.enabled"));
        assertEquals("2", s.sparkConf().get("spark.task.cpus"));
    }

    @Test
    void digestFollowsTrainingSettingsNotPlacement() {
        String base = load("").digest();
        assertEquals(
                base,
                load("pacer.run.dir = \"/elsewhere\"\npacer.spark.master = \"local[1]\"")
                        .digest());
        // the device is placement too: a run moved from CPU to GPU executors resumes without a warning
        assertEquals(base, load("pacer.engine.device = gpu").digest());
        assertNotEquals(base, load("pacer.train.lr = 0.01").digest());
    }

    @Test
    void engineDeviceIsAutoCpuOrGpu() {
        assertEquals(dev.pacer.engine.DeviceChoice.Setting.AUTO, load("").device());
        assertEquals(
                dev.pacer.engine.DeviceChoice.Setting.GPU,
                load("pacer.engine.device = gpu").device());
        assertEquals(
                "pacer.engine.device = \"cuda\": expected one of auto, cpu, gpu", error("pacer.engine.device = cuda"));
    }

    @Test
    void aPresetAloneRunsWithItsOwnDefaultsAndTheUsersValuesWin() {
        // the reference's seq-len (128) exceeds the tiny model's context (64): the preset brings 64
        assertEquals(64, load("pacer.model.preset = tiny").train().seqLen());
        assertEquals(
                32,
                load("pacer.model.preset = tiny\npacer.train.seq-len = 32")
                        .train()
                        .seqLen());
        assertEquals(128, load("pacer.model.preset = small").train().seqLen());
    }
}
