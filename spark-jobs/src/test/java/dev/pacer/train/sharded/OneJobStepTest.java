package dev.pacer.train.sharded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.pacer.run.PacerSettings;
import dev.pacer.train.PretrainJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sharded step as one barrier job ({@code pacer.spark.fused-step}) on Spark: the same metric
 * rows as three jobs a step, with two Spark jobs fewer per step; and on a cluster with fewer task
 * slots than ranks (local[1], two partitions), where Spark refuses barrier jobs, the run falls back
 * to three jobs a step and still gives those rows.
 */
class OneJobStepTest {

    private static final int STEPS = 10;

    @TempDir
    Path tmp;

    @Test
    void oneJobAStepGivesTheRowsOfThreeJobsWithTwoJobsFewerAStep() throws Exception {
        long one = run(tmp.resolve("one"), "local[2]", true);
        long three = run(tmp.resolve("three"), "local[2]", false);
        assertEquals(LostStateRecoveryTest.rows(tmp.resolve("three")), LostStateRecoveryTest.rows(tmp.resolve("one")));
        assertEquals(2L * STEPS, three - one, "Spark jobs: " + one + " with one job a step, " + three + " with three");
    }

    @Test
    void tooFewTaskSlotsForEveryRankFallBackToThreeJobsAStep() throws Exception {
        long refused = run(tmp.resolve("refused"), "local[1]", true);
        long three = run(tmp.resolve("three"), "local[1]", false);
        assertEquals(
                LostStateRecoveryTest.rows(tmp.resolve("three")), LostStateRecoveryTest.rows(tmp.resolve("refused")));
        // a refused barrier job is refused before it starts: every step took the three jobs
        assertEquals(three, refused);
    }

    /** Trains {@link #STEPS} tiny steps on {@code master}; returns the Spark jobs the run started. */
    private static long run(Path dir, String master, boolean fused)
            throws IOException, java.util.concurrent.TimeoutException {
        PacerSettings s = PacerSettings.load(ConfigFactory.parseString(String.join(
                "\n",
                "pacer.run.dir = \"" + dir + "\"",
                "pacer.model.preset = tiny",
                "pacer.engine.compute = synthetic",
                "pacer.spark.update = sharded",
                "pacer.spark.fused-step = " + fused,
                "pacer.spark.master = \"" + master + "\"",
                "pacer.spark.conf { \"spark.ui.enabled\" = false, \"spark.driver.host\" = \"127.0.0.1\","
                        + " \"spark.driver.bindAddress\" = \"127.0.0.1\","
                        // refuse a barrier job lacking slots at once, not after Spark's ten minutes
                        + " \"spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures\" = 1,"
                        + " \"spark.scheduler.barrier.maxConcurrentTasksCheck.interval\" = \"100ms\" }",
                "pacer.train.seq-len = 32",
                "pacer.train.global-batch = 4",
                "pacer.train.micro-batch = 2",
                "pacer.train.grad-clip = 0.05",
                "pacer.train.max-steps = " + STEPS,
                "pacer.train.eval-every = 5",
                "pacer.train.eval-sequences = 8",
                "pacer.checkpoint.every = 5",
                "pacer.data.max-documents = 2000")));
        SparkSession spark =
                SparkSession.builder().config(s.sparkConf("one-job-step-test")).getOrCreate();
        try {
            AtomicLong jobs = new AtomicLong();
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onJobStart(SparkListenerJobStart start) {
                    jobs.incrementAndGet();
                }
            });
            new PretrainJob(s, 0, List.of()).inSession(spark).run();
            // the listener bus delivers events asynchronously: let it drain before counting
            spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
            return jobs.get();
        } finally {
            spark.stop();
        }
    }
}
