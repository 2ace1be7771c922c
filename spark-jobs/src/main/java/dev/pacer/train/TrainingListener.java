package dev.pacer.train;

/** Cross-cutting concerns (metrics, progress, benchmarks) hang off the loop as listeners. */
public interface TrainingListener {

    default void onStep(StepRecord record) {}

    default void onCheckpoint(long step, String location) {}

    /** A controller decision or another event worth a row in events.jsonl. */
    default void onEvent(com.fasterxml.jackson.databind.node.ObjectNode event) {}
}
