package dev.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerSettingsTest {

    private static OptimizerSettings load(String hocon) {
        return OptimizerSettings.from(ConfigFactory.parseString(hocon)
                .withFallback(ConfigFactory.defaultReference())
                .resolve()
                .getConfig("pacer"));
    }

    private static String error(String hocon) {
        return assertThrows(ConfigError.class, () -> load(hocon)).getMessage();
    }

    @Test
    void defaultsAreThePapersAndOfficialCodes() {
        OptimizerSettings s = load("");
        assertEquals("adamw", s.name());
        assertEquals(List.of("norm", "bias", "embedding"), s.noDecay());
        OptimizerHyperparameters h = s.hyper();
        assertEquals(new OptimizerHyperparameters.Sgd(0.9, 0, false, 0), h.sgd());
        assertEquals(new OptimizerHyperparameters.Lion(0.9, 0.99, 0), h.lion());
        assertEquals(new OptimizerHyperparameters.AdaBelief(0.9, 0.999, 1e-16, 0, true), h.adabelief());
        assertEquals(new OptimizerHyperparameters.Adan(0.98, 0.92, 0.99, 1e-8, 0), h.adan());
        assertEquals(new OptimizerHyperparameters.Lamb(0.9, 0.999, 1e-6, 0.01), h.lamb());
        assertEquals(new OptimizerHyperparameters.DiffGrad(0.9, 0.999, 1e-8, 0), h.diffgrad());
        assertEquals(new OptimizerHyperparameters.AdamP(0.9, 0.999, 1e-8, 0, 0.1, 0.1, false), h.adamp());
        assertEquals(new OptimizerHyperparameters.SgdSai(0.9, 1e-8, 0.01, true), h.sgdSai());
        OptimizerHyperparameters.Prodigy p = h.prodigy();
        assertTrue(Double.isNaN(p.beta3()), "beta3 auto = sqrt(beta2)");
        assertEquals(Double.POSITIVE_INFINITY, p.growthRate());
        assertEquals(
                new OptimizerHyperparameters.Prodigy(
                        0.9, 0.999, p.beta3(), 1e-8, 0, 1e-6, 1.0, Double.POSITIVE_INFINITY, false, true),
                p);
        assertEquals(new OptimizerHyperparameters.ScheduleFree(0.9, 0.999, 1e-8, 0, 0, 2), h.scheduleFree());
    }

    @Test
    void unknownNameListsTheValidOnes() {
        String m = error("pacer.optimizer.name = adam");
        assertTrue(m.startsWith("pacer.optimizer.name = \"adam\""), m);
        for (String n : OptimizerSettings.NAMES) {
            assertTrue(m.contains(n), m + " should list " + n);
        }
        assertEquals(11, OptimizerSettings.NAMES.size());
        for (String n : OptimizerSettings.NAMES) {
            String extra = n.equals("prodigy") ? "\npacer.train.lr = 1.0" : "";
            assertEquals(n, load("pacer.optimizer.name = \"" + n + "\"" + extra).name());
        }
    }

    @Test
    void outOfRangeHyperparametersNameTheirKey() {
        assertTrue(error("pacer.optimizer.beta2 = 1.0").startsWith("pacer.optimizer.beta2 = 1.0"));
        assertTrue(error("pacer.optimizer.lion.beta1 = 1.5").startsWith("pacer.optimizer.lion.beta1 = 1.5"));
        assertTrue(error("pacer.optimizer.adabelief.eps = 0").startsWith("pacer.optimizer.adabelief.eps"));
        assertTrue(error("pacer.optimizer.adan.beta3 = -0.1").startsWith("pacer.optimizer.adan.beta3"));
        assertTrue(error("pacer.optimizer.lamb.weight-decay = -1").startsWith("pacer.optimizer.lamb.weight-decay"));
        assertTrue(error("pacer.optimizer.diffgrad.beta1 = 1").startsWith("pacer.optimizer.diffgrad.beta1"));
        assertTrue(error("pacer.optimizer.adamp.wd-ratio = 2").startsWith("pacer.optimizer.adamp.wd-ratio"));
        assertTrue(error("pacer.optimizer.adamp.delta = 0").startsWith("pacer.optimizer.adamp.delta"));
        assertTrue(error("pacer.optimizer.sgd-sai.momentum = 1").startsWith("pacer.optimizer.sgd-sai.momentum"));
        assertTrue(error("pacer.optimizer.prodigy.d0 = 0").startsWith("pacer.optimizer.prodigy.d0"));
        assertTrue(error("pacer.optimizer.prodigy.growth-rate = 0.5").contains("\"inf\""));
        assertTrue(error("pacer.optimizer.prodigy.beta3 = sometimes").startsWith("pacer.optimizer.prodigy.beta3"));
        assertTrue(error("pacer.optimizer.schedule-free-adamw.r = -1")
                .startsWith("pacer.optimizer.schedule-free-adamw.r"));
        assertTrue(error("pacer.optimizer.sgd.nesterov = true\npacer.optimizer.sgd.dampening = 0.1")
                .contains("nesterov"));
        // explicit values where "auto" / "inf" are the defaults
        OptimizerHyperparameters.Prodigy p = load("pacer.optimizer.prodigy { beta3 = 0.98, growth-rate = 1.02 }")
                .hyper()
                .prodigy();
        assertEquals(0.98, p.beta3());
        assertEquals(1.02, p.growthRate());
    }

    @Test
    void prodigyNeedsALearningRateNearOne() {
        String m = error("pacer.optimizer.name = prodigy");
        assertTrue(m.startsWith("pacer.train.lr = 0.002"), m);
        assertTrue(m.contains("1.0") && m.contains("d-coef"), m);
        assertEquals(
                "prodigy",
                load("pacer.optimizer.name = prodigy\npacer.train.lr = 0.5").name());
    }

    @Test
    void recommendedPresetsLoad() {
        // conf/optimizers/*.conf (repository root), used as --conf files
        for (String preset : new String[] {"prodigy", "schedule-free-adamw"}) {
            java.io.File f = new java.io.File("../conf/optimizers/" + preset + ".conf");
            assertTrue(f.isFile(), f + " exists");
            com.typesafe.config.Config pacer = ConfigFactory.parseFile(f)
                    .withFallback(ConfigFactory.defaultReference())
                    .resolve()
                    .getConfig("pacer");
            assertEquals(preset, OptimizerSettings.from(pacer).name());
            TrainSettings train = TrainSettings.from(pacer);
            assertEquals(preset.equals("prodigy") ? "cosine" : "constant", train.schedule());
        }
    }

    @Test
    void noDecayIsValidated() {
        String m = error("pacer.optimizer.no-decay = [norm, biases]");
        assertTrue(m.startsWith("pacer.optimizer.no-decay = \"biases\""), m);
        assertTrue(m.contains("norm, bias, embedding, token-embedding, position-embedding"), m);
    }

    private static double decayOf(OptimizerSettings s, ParameterLayout layout, String tensor) {
        return s.weightDecayFor(layout.tensor(tensor));
    }

    @Test
    void weightDecayPolicyByDefaultSparesNormsBiasesAndEmbeddings() {
        ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));
        OptimizerSettings s = load("");
        for (TensorSpec t : layout.tensors()) {
            boolean matrix =
                    t.name().matches("h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)" + "\\.weight");
            assertEquals(matrix ? 0.1 : 0.0, s.weightDecayFor(t), t.name());
        }
        OptimizerSettings all = load("pacer.optimizer.no-decay = []");
        assertEquals(0.1, decayOf(all, layout, "ln_f.weight"));
        assertEquals(0.1, decayOf(all, layout, "h.0.attn.c_attn.bias"));
        assertEquals(0.1, decayOf(all, layout, "wte.weight"));
        OptimizerSettings tok = load("pacer.optimizer.no-decay = [token-embedding]");
        assertEquals(0.0, decayOf(tok, layout, "wte.weight"));
        assertEquals(0.1, decayOf(tok, layout, "wpe.weight"));
        assertEquals(0.1, decayOf(tok, layout, "h.0.ln_1.weight"));
    }

    @Test
    void theSelectedOptimizersWeightDecayApplies() {
        ParameterLayout layout = new ParameterLayout(ModelPreset.TINY.config(257));
        OptimizerSettings lamb = load("pacer.optimizer.name = lamb");
        assertEquals(0.01, decayOf(lamb, layout, "h.0.mlp.c_fc.weight"));
        assertEquals(0.0, decayOf(lamb, layout, "h.0.mlp.c_fc.bias"));
        OptimizerSettings lion = load("pacer.optimizer { name = lion, lion.weight-decay = 0.3, weight-decay = 7 }");
        assertEquals(0.3, decayOf(lion, layout, "h.0.attn.c_proj.weight"));
        assertEquals(0.3, lion.selectedWeightDecay());
        assertEquals(7.0, lion.weightDecay(), "AdamW's own key is unchanged");
    }
}
