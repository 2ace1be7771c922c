package dev.pacer.rates;

import dev.pacer.adalrs.AdaLrsController;
import dev.pacer.adalrs.AdaLrsSettings;
import dev.pacer.adalrs.AdaLrsState;
import dev.pacer.config.TrainSettings;
import dev.pacer.hidlr.HiDlrController;
import dev.pacer.hidlr.HiDlrSettings;
import dev.pacer.hidlr.HiDlrState;
import dev.pacer.hidlr.ParameterGroups;
import dev.pacer.model.ParameterLayout;
import dev.pacer.schedule.LrSchedule;

/**
 * The learning-rate controllers of a run, in the order they shape a step's rates: the schedule
 * (a factor of the peak rate), AdaLRS (a level; null when off) and Hi-DLR (per-group multipliers
 * and frozen groups; null when off).
 *
 * @param probeSequences sequences of a Hi-DLR probe batch (0 when Hi-DLR is off)
 */
public record Controllers(
        double peakLr,
        int tensors,
        LrSchedule schedule,
        AdaLrsController adalrs,
        HiDlrController hidlr,
        int probeSequences) {

    /** The controllers the settings ask for, over data spread on {@code partitions} partitions. */
    public static Controllers of(
            TrainSettings train, AdaLrsSettings adalrs, HiDlrSettings hidlr, ParameterLayout layout, int partitions) {
        LrSchedule schedule = LrSchedule.create(
                train.schedule(), train.warmupSteps(), train.maxSteps(), train.minLrRatio(), train.decayFraction());
        AdaLrsController search =
                adalrs.enabled() ? new AdaLrsController(adalrs, train.warmupSteps(), train.maxSteps()) : null;
        HiDlrController groupRates = null;
        int probeSequences = 0;
        if (hidlr.enabled()) {
            ParameterGroups groups = ParameterGroups.of(layout, hidlr.grouping());
            groupRates = new HiDlrController(
                    hidlr,
                    groups,
                    hidlr.shapeOnly(adalrs.enabled()),
                    train.warmupSteps(),
                    train.maxSteps(),
                    hidlr.every(groups.count(), train.globalBatch(), partitions));
            probeSequences = hidlr.probeSequences(train.globalBatch(), partitions);
        }
        return new Controllers(train.lr(), layout.tensors().size(), schedule, search, groupRates, probeSequences);
    }

    /** The rates of step {@code step} (0-based): peak × schedule × level, then the groups' multipliers. */
    public StepRates rates(long step) {
        StepRates r = new StepRates(peakLr, tensors);
        schedule.shape(step, r);
        if (adalrs != null) {
            adalrs.shape(step, r);
        }
        if (hidlr != null) {
            hidlr.shape(step, r);
        }
        return r;
    }

    /** Continues from saved states (null: that controller starts fresh). */
    public void restore(AdaLrsState adalrsState, HiDlrState hidlrState) {
        if (adalrs != null && adalrsState != null) {
            adalrs.restore(adalrsState);
        }
        if (hidlr != null && hidlrState != null) {
            hidlr.restore(hidlrState);
        }
    }

    public AdaLrsState adalrsState() {
        return adalrs == null ? null : adalrs.state();
    }

    public HiDlrState hidlrState() {
        return hidlr == null ? null : hidlr.state();
    }
}
