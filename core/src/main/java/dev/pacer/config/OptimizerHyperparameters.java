package dev.pacer.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;

/**
 * The hyperparameters of every optimizer but AdamW (whose keys sit directly under {@code pacer.optimizer}),
 * one block each under {@code pacer.optimizer}; documented, with their sources, in core's reference.conf and
 * docs/optimizers.md. Every block is validated, whichever optimizer is selected.
 */
public record OptimizerHyperparameters(
        Sgd sgd,
        Lion lion,
        AdaBelief adabelief,
        Adan adan,
        Lamb lamb,
        DiffGrad diffgrad,
        AdamP adamp,
        SgdSai sgdSai,
        Prodigy prodigy,
        ScheduleFree scheduleFree)
        implements java.io.Serializable {

    private static final String P = "pacer.optimizer.";

    /** {@code pacer.optimizer.sgd}: torch.optim.SGD's momentum form; weight decay is its L2 term. */
    public record Sgd(double momentum, double dampening, boolean nesterov, double weightDecay)
            implements java.io.Serializable {
        public Sgd {
            Check.inRange(P + "sgd.momentum", momentum, 0, 1, false);
            Check.inRange(P + "sgd.dampening", dampening, 0, 1, true);
            Check.nonNegative(P + "sgd.weight-decay", weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new ConfigError(P + "sgd.nesterov = true needs " + P + "sgd.momentum > 0 and " + P
                        + "sgd.dampening = 0 (got " + momentum + " and " + dampening + ")");
            }
        }
    }

    /** {@code pacer.optimizer.lion}. */
    public record Lion(double beta1, double beta2, double weightDecay) implements java.io.Serializable {
        public Lion {
            Check.inRange(P + "lion.beta1", beta1, 0, 1, false);
            Check.inRange(P + "lion.beta2", beta2, 0, 1, false);
            Check.nonNegative(P + "lion.weight-decay", weightDecay);
        }
    }

    /** {@code pacer.optimizer.adabelief}. */
    public record AdaBelief(double beta1, double beta2, double eps, double weightDecay, boolean rectify)
            implements java.io.Serializable {
        public AdaBelief {
            Check.inRange(P + "adabelief.beta1", beta1, 0, 1, false);
            Check.inRange(P + "adabelief.beta2", beta2, 0, 1, false);
            Check.positive(P + "adabelief.eps", eps);
            Check.nonNegative(P + "adabelief.weight-decay", weightDecay);
        }
    }

    /** {@code pacer.optimizer.adan}: betas as decay factors, as the official code writes them. */
    public record Adan(double beta1, double beta2, double beta3, double eps, double weightDecay)
            implements java.io.Serializable {
        public Adan {
            Check.inRange(P + "adan.beta1", beta1, 0, 1, false);
            Check.inRange(P + "adan.beta2", beta2, 0, 1, false);
            Check.inRange(P + "adan.beta3", beta3, 0, 1, false);
            Check.positive(P + "adan.eps", eps);
            Check.nonNegative(P + "adan.weight-decay", weightDecay);
        }
    }

    /** {@code pacer.optimizer.lamb}. */
    public record Lamb(double beta1, double beta2, double eps, double weightDecay) implements java.io.Serializable {
        public Lamb {
            Check.inRange(P + "lamb.beta1", beta1, 0, 1, false);
            Check.inRange(P + "lamb.beta2", beta2, 0, 1, false);
            Check.positive(P + "lamb.eps", eps);
            Check.nonNegative(P + "lamb.weight-decay", weightDecay);
        }
    }

    /** {@code pacer.optimizer.diffgrad}. */
    public record DiffGrad(double beta1, double beta2, double eps, double weightDecay) implements java.io.Serializable {
        public DiffGrad {
            Check.inRange(P + "diffgrad.beta1", beta1, 0, 1, false);
            Check.inRange(P + "diffgrad.beta2", beta2, 0, 1, false);
            Check.positive(P + "diffgrad.eps", eps);
            Check.nonNegative(P + "diffgrad.weight-decay", weightDecay);
        }
    }

    /** {@code pacer.optimizer.adamp}. */
    public record AdamP(
            double beta1, double beta2, double eps, double weightDecay, double delta, double wdRatio, boolean nesterov)
            implements java.io.Serializable {
        public AdamP {
            Check.inRange(P + "adamp.beta1", beta1, 0, 1, false);
            Check.inRange(P + "adamp.beta2", beta2, 0, 1, false);
            Check.positive(P + "adamp.eps", eps);
            Check.nonNegative(P + "adamp.weight-decay", weightDecay);
            Check.positive(P + "adamp.delta", delta);
            Check.inRange(P + "adamp.wd-ratio", wdRatio, 0, 1, true);
        }
    }

    /** {@code pacer.optimizer.sgd-sai}. */
    public record SgdSai(double momentum, double eps, double weightDecay, boolean normalize)
            implements java.io.Serializable {
        public SgdSai {
            Check.inRange(P + "sgd-sai.momentum", momentum, 0, 1, false);
            Check.positive(P + "sgd-sai.eps", eps);
            Check.nonNegative(P + "sgd-sai.weight-decay", weightDecay);
        }
    }

    /**
     * {@code pacer.optimizer.prodigy}; {@code beta3} NaN means sqrt(beta2) ({@code "auto"}), {@code growthRate}
     * infinite means unbounded ({@code "inf"}).
     */
    public record Prodigy(
            double beta1,
            double beta2,
            double beta3,
            double eps,
            double weightDecay,
            double d0,
            double dCoef,
            double growthRate,
            boolean biasCorrection,
            boolean safeguardWarmup)
            implements java.io.Serializable {
        public Prodigy {
            Check.inRange(P + "prodigy.beta1", beta1, 0, 1, false);
            Check.inRange(P + "prodigy.beta2", beta2, 0, 1, false);
            if (!Double.isNaN(beta3)) {
                Check.inRange(P + "prodigy.beta3", beta3, 0, 1, false);
            }
            Check.positive(P + "prodigy.eps", eps);
            Check.nonNegative(P + "prodigy.weight-decay", weightDecay);
            Check.positive(P + "prodigy.d0", d0);
            Check.positive(P + "prodigy.d-coef", dCoef);
            if (!(growthRate >= 1)) {
                throw new ConfigError(P + "prodigy.growth-rate = " + growthRate
                        + ": expected a number >= 1, or \"inf\" for no bound");
            }
        }
    }

    /** {@code pacer.optimizer.schedule-free-adamw}. */
    public record ScheduleFree(
            double beta1, double beta2, double eps, double weightDecay, double r, double weightLrPower)
            implements java.io.Serializable {
        public ScheduleFree {
            Check.inRange(P + "schedule-free-adamw.beta1", beta1, 0, 1, false);
            Check.inRange(P + "schedule-free-adamw.beta2", beta2, 0, 1, false);
            Check.positive(P + "schedule-free-adamw.eps", eps);
            Check.nonNegative(P + "schedule-free-adamw.weight-decay", weightDecay);
            Check.nonNegative(P + "schedule-free-adamw.r", r);
            Check.nonNegative(P + "schedule-free-adamw.weight-lr-power", weightLrPower);
        }
    }

    /** Reads every block from the {@code pacer.optimizer} object. */
    public static OptimizerHyperparameters from(Config o) {
        Config sgd = o.getConfig("sgd");
        Config lion = o.getConfig("lion");
        Config ab = o.getConfig("adabelief");
        Config adan = o.getConfig("adan");
        Config lamb = o.getConfig("lamb");
        Config dg = o.getConfig("diffgrad");
        Config ap = o.getConfig("adamp");
        Config sai = o.getConfig("sgd-sai");
        Config pr = o.getConfig("prodigy");
        Config sf = o.getConfig("schedule-free-adamw");
        return new OptimizerHyperparameters(
                new Sgd(
                        sgd.getDouble("momentum"),
                        sgd.getDouble("dampening"),
                        sgd.getBoolean("nesterov"),
                        sgd.getDouble("weight-decay")),
                new Lion(lion.getDouble("beta1"), lion.getDouble("beta2"), lion.getDouble("weight-decay")),
                new AdaBelief(
                        ab.getDouble("beta1"),
                        ab.getDouble("beta2"),
                        ab.getDouble("eps"),
                        ab.getDouble("weight-decay"),
                        ab.getBoolean("rectify")),
                new Adan(
                        adan.getDouble("beta1"),
                        adan.getDouble("beta2"),
                        adan.getDouble("beta3"),
                        adan.getDouble("eps"),
                        adan.getDouble("weight-decay")),
                new Lamb(
                        lamb.getDouble("beta1"),
                        lamb.getDouble("beta2"),
                        lamb.getDouble("eps"),
                        lamb.getDouble("weight-decay")),
                new DiffGrad(
                        dg.getDouble("beta1"),
                        dg.getDouble("beta2"),
                        dg.getDouble("eps"),
                        dg.getDouble("weight-decay")),
                new AdamP(
                        ap.getDouble("beta1"),
                        ap.getDouble("beta2"),
                        ap.getDouble("eps"),
                        ap.getDouble("weight-decay"),
                        ap.getDouble("delta"),
                        ap.getDouble("wd-ratio"),
                        ap.getBoolean("nesterov")),
                new SgdSai(
                        sai.getDouble("momentum"),
                        sai.getDouble("eps"),
                        sai.getDouble("weight-decay"),
                        sai.getBoolean("normalize")),
                new Prodigy(
                        pr.getDouble("beta1"),
                        pr.getDouble("beta2"),
                        numberOrWord(pr, "beta3", "auto", Double.NaN, P + "prodigy."),
                        pr.getDouble("eps"),
                        pr.getDouble("weight-decay"),
                        pr.getDouble("d0"),
                        pr.getDouble("d-coef"),
                        numberOrWord(pr, "growth-rate", "inf", Double.POSITIVE_INFINITY, P + "prodigy."),
                        pr.getBoolean("bias-correction"),
                        pr.getBoolean("safeguard-warmup")),
                new ScheduleFree(
                        sf.getDouble("beta1"),
                        sf.getDouble("beta2"),
                        sf.getDouble("eps"),
                        sf.getDouble("weight-decay"),
                        sf.getDouble("r"),
                        sf.getDouble("weight-lr-power")));
    }

    /** A number, or the one word that stands for a special value. */
    private static double numberOrWord(Config c, String key, String word, double wordValue, String prefix) {
        if (c.getValue(key).valueType() == ConfigValueType.STRING) {
            String s = c.getString(key).trim();
            if (s.equals(word)) {
                return wordValue;
            }
            try {
                double v = Double.parseDouble(s);
                if (!Double.isNaN(v)) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new ConfigError(prefix + key + " = \"" + s + "\": expected a number or \"" + word + "\"");
        }
        return c.getDouble(key);
    }
}
