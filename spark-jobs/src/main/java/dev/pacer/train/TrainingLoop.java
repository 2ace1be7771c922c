package dev.pacer.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.adalrs.AdaLrsController;
import dev.pacer.config.TrainSettings;
import dev.pacer.hidlr.HiDlrController;
import dev.pacer.hidlr.HiDlrState;
import dev.pacer.model.ParameterLayout;
import dev.pacer.rates.Controllers;
import dev.pacer.rates.StepRates;
import dev.pacer.run.Checkpointing;
import dev.pacer.run.JsonLinesLog;
import dev.pacer.run.ModelSource;
import dev.pacer.run.RunState;
import java.io.IOException;
import java.util.List;

/**
 * The driver's training loop (docs/design.md): each step, the controllers set the rates, the
 * {@link StepBackend} computes and applies the update, Hi-DLR probes when due, AdaLRS decides,
 * and the step is validated, logged and checkpointed. The loop holds only scalars and the
 * controllers' states; the backend holds the weights.
 */
public final class TrainingLoop {

    private final StepBackend backend;
    private final Controllers controllers;
    private final TrainSettings train;
    private final ParameterLayout layout;
    private final Checkpointing checkpointing;
    private final List<TrainingListener> listeners;

    /** Hi-DLR's state at the snapshot: a replayed trial starts from the round's rates. */
    private HiDlrState snapshotHidlr;

    private boolean snapshotHeld;
    private long probeNanos;
    private long trainNanos;

    /** @param checkpointing null: no checkpoints (benchmarks) */
    public TrainingLoop(
            StepBackend backend,
            Controllers controllers,
            TrainSettings train,
            ParameterLayout layout,
            Checkpointing checkpointing,
            List<TrainingListener> listeners) {
        this.backend = backend;
        this.controllers = controllers;
        this.train = train;
        this.layout = layout;
        this.checkpointing = checkpointing;
        this.listeners = listeners;
    }

    /**
     * Trains from {@code start} until {@code stopAt} completed steps or until {@code iterations}
     * steps were computed, whichever comes first (they differ only when AdaLRS's paired comparison
     * replays steps); checkpoints the state it stops in and returns it.
     */
    public RunState run(RunState start, ModelSource model, long stopAt, long iterations) throws IOException {
        begin(start, model);
        AdaLrsController adalrs = controllers.adalrs();
        HiDlrController hidlr = controllers.hidlr();
        long tokens = start.tokens();
        long step = start.step();
        long computed = 0;
        for (; step < stopAt && computed < iterations; step++, computed++) {
            long t0 = System.nanoTime();
            String label = "pacer pretrain: step " + (step + 1) + "/" + train.maxSteps();
            // schedule → rates: peak × schedule × AdaLRS level × Hi-DLR group multiplier
            StepRates rates = controllers.rates(step);
            boolean probeDue = hidlr != null && hidlr.probeDue(step + 1);
            // gradients → clip → update, wherever the backend keeps the weights
            StepOutcome out = backend.step(new StepRequest(step, rates, probeDue, label));
            if (!out.applied() && adalrs == null) {
                throw diverged(step, out);
            }
            trainNanos += System.nanoTime() - t0;
            // Hi-DLR: the loss along each group's step just taken moves the group rates
            if (probeDue && out.applied()) {
                probe(hidlr, step + 1, rates.lr(), label);
            }
            // tokens of rejected trials count against the budget too
            tokens += out.tokens();
            long done = step + 1;
            // validation sees the weights this step produced, before AdaLRS may restore others
            long tv = System.nanoTime();
            double valLoss = done % train.evalEvery() == 0 || done == train.maxSteps()
                    ? backend.validationLoss(label)
                    : Double.NaN;
            double validationMs = (System.nanoTime() - tv) / 1e6;
            // AdaLRS: snapshot, rollback or replay; the completed steps the run continues from
            String phase = adalrs == null ? null : adalrs.phase();
            long live = adalrs == null ? done : decide(adalrs, done, out);
            // log, then checkpoint
            StepRecord record = new StepRecord(
                    done,
                    train.maxSteps(),
                    tokens,
                    out.loss(),
                    rates.lr(),
                    out.gradNorm(),
                    valLoss,
                    rates.level(),
                    phase,
                    hidlr == null ? null : hidlr.groupRates(rates.lr()),
                    out.timings().finish((System.nanoTime() - t0) / 1e6, validationMs));
            listeners.forEach(l -> l.onStep(record));
            step = live - 1;
            boolean last = live >= stopAt || computed + 1 >= iterations;
            if (checkpointing != null && checkpointing.due(done, live, last)) {
                Checkpointing.Written written =
                        checkpointing.write(state(live, tokens), backend.tensorWriter(snapshotHeld));
                written.pruned()
                        .forEach(gone -> event(JsonLinesLog.row()
                                .put("event", "checkpoint_pruned")
                                .put("path", gone)));
                listeners.forEach(l -> l.onCheckpoint(live, written.path()));
            }
        }
        return computed == 0 ? start : state(step, tokens);
    }

    /** Puts the backend and the controllers at the start point and announces Hi-DLR's plan. */
    private void begin(RunState start, ModelSource model) {
        RunState.Snapshot snap = start.snapshot();
        backend.start(model);
        snapshotHeld = snap != null;
        snapshotHidlr = snap == null ? null : snap.hidlr();
        controllers.restore(start.adalrs(), start.hidlr());
        if (checkpointing != null) {
            checkpointing.startAt(start.step());
        }
        if (controllers.hidlr() != null) {
            event(controllers.hidlr().planEvent(controllers.probeSequences(), train.globalBatch()));
        }
    }

    /** Hi-DLR's probe after step {@code done}: losses along each group's step, then the fit. */
    private void probe(HiDlrController hidlr, long done, double lr, String label) {
        long t = System.nanoTime();
        var plan = hidlr.probePlan(layout, lr);
        double[] losses = backend.probe(plan, done - 1, controllers.probeSequences(), label);
        HiDlrController.Outcome out = hidlr.update(done, lr, losses);
        long spent = System.nanoTime() - t;
        probeNanos += spent;
        event(out.probeEvent()
                .put("forwards", plan.points())
                .put("probe_sequences", controllers.probeSequences())
                .put("probe_ms", Math.round(spent / 1e5) / 10.0)
                .put("overhead", probeNanos / (double) trainNanos));
        if (out.freezeEvent() != null) {
            event(out.freezeEvent());
        }
    }

    /** AdaLRS's decision after completed step {@code done}; returns the steps the run continues from. */
    private long decide(AdaLrsController adalrs, long done, StepOutcome out) {
        AdaLrsController.Decision d = adalrs.observe(done, out.applied() ? out.loss() : Double.NaN);
        HiDlrController hidlr = controllers.hidlr();
        switch (d.action()) {
            case SNAPSHOT -> {
                backend.snapshot();
                snapshotHidlr = controllers.hidlrState();
            }
            case ROLLBACK -> {
                backend.rollback();
                restoreHidlr(hidlr, snapshotHidlr);
            }
            case REPLAY -> {
                // paired comparison: the base branch's end becomes the snapshot and the trial
                // replays the same steps from the round's start
                HiDlrState baseEnd = controllers.hidlrState();
                backend.swapWithSnapshot();
                restoreHidlr(hidlr, snapshotHidlr);
                snapshotHidlr = baseEnd;
            }
            case FAIL -> throw diverged(done - 1, out);
            default -> {}
        }
        snapshotHeld = (snapshotHeld || d.action() == AdaLrsController.Action.SNAPSHOT) && adalrs.snapshotValid();
        if (d.event() != null) {
            event(d.event());
        }
        return d.resumeAt() >= 0 ? d.resumeAt() : done;
    }

    private static void restoreHidlr(HiDlrController hidlr, HiDlrState state) {
        if (hidlr != null && state != null) {
            hidlr.restore(state);
        }
    }

    private RunState state(long step, long tokens) {
        return new RunState(
                step,
                tokens,
                controllers.adalrsState(),
                controllers.hidlrState(),
                snapshotHeld ? new RunState.Snapshot(snapshotHidlr) : null);
    }

    private void event(ObjectNode e) {
        listeners.forEach(l -> l.onEvent(e));
    }

    private TrainingDivergedException diverged(long step, StepOutcome out) {
        return new TrainingDivergedException("training diverged at step " + (step + 1) + ": loss " + out.loss()
                + ", gradient norm " + out.gradNorm() + "; lower pacer.train.lr (now " + train.lr()
                + "), enable pacer.adalrs, or resume from the last checkpoint with a smaller one");
    }
}
