package dev.pacer.train;

/** Cross-cutting concerns (metrics, progress, benchmarks) hang off the loop as listeners. */
public interface TrainingListener {

    default void onStep(StepRecord record) {}

    default void onCheckpoint(long step, String location) {}
}
