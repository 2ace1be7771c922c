package dev.pacer.train;

import dev.pacer.rates.StepRates;

/**
 * One step as the loop asks for it: the 0-based step (which decides the batches), its rates,
 * whether to keep the weights before the update (a Hi-DLR probe follows), and a label for the
 * cluster's job descriptions.
 */
public record StepRequest(long step, StepRates rates, boolean keepPrevious, String label) {}
