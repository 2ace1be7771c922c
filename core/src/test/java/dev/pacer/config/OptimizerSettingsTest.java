package dev.pacer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.model.ModelPreset;
import dev.pacer.model.ParameterLayout;
import dev.pacer.model.TensorSpec;
import dev.pacer.optim.AdaBelief;
import dev.pacer.optim.AdamP;
import dev.pacer.optim.AdamTerms;
import dev.pacer.optim.AdamW;
import dev.pacer.optim.Adan;
import dev.pacer.optim.DiffGrad;
import dev.pacer.optim.Lamb;
import dev.pacer.optim.Lion;
import dev.pacer.optim.OptimizerSpec;
import dev.pacer.optim.Optimizers;
import dev.pacer.optim.Prodigy;
import dev.pacer.optim.ScheduleFreeAdamW;
import dev.pacer.optim.SgdMomentum;
import dev.pacer.optim.SgdSai;
import dev.pacer.schedule.ScheduleKind;
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

    /** The hyperparameters {@code spec} reads from the block {@code hocon} leaves (defaults otherwise). */
    private static OptimizerSpec.Hyperparameters block(OptimizerSpec spec, String hocon) {
        return spec.read(ConfigFactory.parseString(hocon)
                .withFallback(ConfigFactory.defaultReference())
                .resolve()
                .getConfig("pacer.optimizer"));
    }

    @Test
    void defaultsAreThePapersAndOfficialCodes() {
        OptimizerSettings s = load("");
        assertEquals(AdamW.SPEC, s.spec());
        assertEquals(new AdamTerms(0.9, 0.95, 1e-8, 0.1), s.hyperparameters());
        assertEquals(List.of("norm", "bias", "embedding"), s.noDecay());
        assertEquals(new SgdMomentum.Settings(0.9, 0, false, 0), block(SgdMomentum.SPEC, ""));
        assertEquals(new Lion.Settings(0.9, 0.99, 0), block(Lion.SPEC, ""));
        assertEquals(new AdaBelief.Settings(0.9, 0.999, 1e-16, 0, true), block(AdaBelief.SPEC, ""));
        assertEquals(new Adan.Settings(0.98, 0.92, 0.99, 1e-8, 0), block(Adan.SPEC, ""));
        assertEquals(new AdamTerms(0.9, 0.999, 1e-6, 0.01), block(Lamb.SPEC, ""));
        assertEquals(new AdamTerms(0.9, 0.999, 1e-8, 0), block(DiffGrad.SPEC, ""));
        assertEquals(new AdamP.Settings(0.9, 0.999, 1e-8, 0, 0.1, 0.1, false), block(AdamP.SPEC, ""));
        assertEquals(new SgdSai.Settings(0.9, 1e-8, 0.01, true), block(SgdSai.SPEC, ""));
        Prodigy.Settings p = (Prodigy.Settings) block(Prodigy.SPEC, "");
        assertTrue(Double.isNaN(p.beta3()), "beta3 auto = sqrt(beta2)");
        assertEquals(Double.POSITIVE_INFINITY, p.growthRate());
        assertEquals(
                new Prodigy.Settings(0.9, 0.999, p.beta3(), 1e-8, 0, 1e-6, 1.0, Double.POSITIVE_INFINITY, false, true),
                p);
        assertEquals(new ScheduleFreeAdamW.Settings(0.9, 0.999, 1e-8, 0, 0, 2), block(ScheduleFreeAdamW.SPEC, ""));
    }

    @Test
    void unknownNameListsTheValidOnes() {
        String m = error("pacer.optimizer.name = adam");
        assertEquals(
                "pacer.optimizer.name = \"adam\": expected one of adamw, sgd, lion, adabelief, adan, lamb, diffgrad,"
                        + " adamp, sgd-sai, prodigy, schedule-free-adamw",
                m);
        assertEquals(11, Optimizers.REGISTERED.size());
        for (OptimizerSpec spec : Optimizers.REGISTERED) {
            String n = spec.id();
            String extra = n.equals("prodigy") ? "\npacer.train.lr = 1.0" : "";
            OptimizerSettings s = load("pacer.optimizer.name = \"" + n + "\"" + extra);
            assertEquals(spec, s.spec());
            assertEquals(s.hyperparameters(), block(spec, ""), n + ": the selected block's hyperparameters");
        }
    }

    @Test
    void settingsTravelToExecutorsAndResolveToTheRegisteredEntry() throws Exception {
        OptimizerSettings s = load("pacer.optimizer { name = lamb, lamb.beta1 = 0.8 }");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        OptimizerSettings back;
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            back = (OptimizerSettings) in.readObject();
        }
        assertEquals(s, back);
        assertTrue(back.spec() == Lamb.SPEC, "the registered entry itself");
        assertEquals(0.8, ((AdamTerms) back.hyperparameters()).beta1());
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
        Prodigy.Settings p =
                (Prodigy.Settings) block(Prodigy.SPEC, "pacer.optimizer.prodigy { beta3 = 0.98, growth-rate = 1.02 }");
        assertEquals(0.98, p.beta3());
        assertEquals(1.02, p.growthRate());
    }

    @Test
    void prodigyNeedsALearningRateNearOne() {
        String m = error("pacer.optimizer.name = prodigy");
        assertTrue(m.startsWith("pacer.train.lr = 0.002"), m);
        assertTrue(m.contains("1.0") && m.contains("d-coef"), m);
        assertEquals(
                Prodigy.SPEC,
                load("pacer.optimizer.name = prodigy\npacer.train.lr = 0.5").spec());
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
            assertEquals(preset, OptimizerSettings.from(pacer).spec().id());
            TrainSettings train = TrainSettings.from(pacer);
            assertEquals(preset.equals("prodigy") ? ScheduleKind.COSINE : ScheduleKind.CONSTANT, train.schedule());
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
        assertEquals(7.0, block(AdamW.SPEC, "pacer.optimizer.weight-decay = 7").weightDecay(), "AdamW's own key");
    }
}
