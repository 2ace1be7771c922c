package dev.pacer.adalrs;

import dev.pacer.adalrs.AdaLrsController.Decision;

/**
 * How an AdaLRS trial is run and judged; phases of {@link AdaLrsState#phase} map to these calls. A
 * comparison works on its controller's state and shared machinery.
 */
abstract class TrialProtocol {
    final AdaLrsController c;
    final AdaLrsSettings settings;

    TrialProtocol(AdaLrsController controller) {
        this.c = controller;
        this.settings = controller.settings;
    }

    AdaLrsState s() {
        return c.s;
    }

    /** A step outside a window: start the search when its phase begins. */
    abstract Decision start(long step);

    /** A step of the base window at the current level. */
    abstract Decision base(long step, double loss);

    /** A step of the trial window. */
    abstract Decision trial(long step, double loss);

    /** A non-finite loss while a snapshot is in force. */
    abstract Decision diverged(long step, double loss);
}
