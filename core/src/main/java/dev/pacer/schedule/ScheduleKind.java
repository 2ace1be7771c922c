package dev.pacer.schedule;

import dev.pacer.config.ConfigChoice;

/** {@code pacer.train.schedule}: the shape of the learning rate over the planned steps ({@link LrSchedule#create}). */
public enum ScheduleKind implements ConfigChoice {
    /** Warmup, then cosine decay to the minimum ratio. */
    COSINE,
    /** Warmup, then the peak rate. */
    CONSTANT,
    /** Warmup, stable at the peak, then a linear decay over the decay fraction (warmup-stable-decay). */
    WSD
}
