package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ThreadsAndSeedsTest {

    @Test
    void threadsPerTaskAreExecutorCoresOverConcurrentTasks() {
        assertEquals(1, PretrainJob.threadsPerTask(new SparkConf().setMaster("local[2]")));
        assertEquals(
                4,
                PretrainJob.threadsPerTask(new SparkConf().setMaster("local[4]").set("spark.task.cpus", "4")));
        // 8 cores, 2 cpus a task: 4 tasks at once, 2 threads each
        assertEquals(
                2,
                PretrainJob.threadsPerTask(new SparkConf()
                        .setMaster("spark://h:7077")
                        .set("spark.executor.cores", "8")
                        .set("spark.task.cpus", "2")));
        assertEquals(1, PretrainJob.threadsPerTask(new SparkConf().setMaster("yarn")));
    }

    @Test
    void globalBatchSharesSumToTheBatchForAnyPartitionCount() {
        for (int parts = 1; parts <= 7; parts++) {
            int sum = 0;
            for (int p = 0; p < parts; p++) {
                sum += BatchSeeds.share(32, parts, p);
            }
            assertEquals(32, sum, "partitions " + parts);
        }
    }

    @Test
    void seedsDifferPerStepAndPartitionAndRepeat() {
        Set<Long> seen = new HashSet<>();
        for (long step = 0; step < 100; step++) {
            for (int p = 0; p < 4; p++) {
                seen.add(BatchSeeds.derive(1234, step, p));
            }
        }
        assertEquals(400, seen.size());
        assertEquals(BatchSeeds.derive(1234, 5, 1), BatchSeeds.derive(1234, 5, 1));
        assertNotEquals(BatchSeeds.derive(1234, 5, 1), BatchSeeds.derive(1235, 5, 1));
    }
}
