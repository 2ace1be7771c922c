package dev.pacer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pacer.data.CorpusPartition;
import dev.pacer.run.PacerSettings;
import dev.pacer.testing.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cached corpus RDD's lineage, which Spark serializes for every job of a run and every task
 * reads: it stays small however large the Hadoop configuration or the prepared dataset's list of
 * parts is (they travel as broadcasts), and the partitions still load from those broadcasts.
 */
class CorpusLineageTest {

    /** A Hadoop property as large as a cluster's whole site configuration can be. */
    private static final String BIG = "x".repeat(200_000);

    private static SparkSession spark;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("corpus-lineage-test", dir.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Configuration bigConf() {
        Configuration conf = new Configuration();
        conf.set("pacer.test.big-property", BIG);
        return conf;
    }

    private static PacerSettings settings(String... lines) {
        return PacerSettings.load(ConfigFactory.parseString("pacer.run.dir = \"" + dir.resolve("run") + "\"\n"
                + "pacer.model.preset = tiny\npacer.train.seq-len = 16\npacer.spark.partitions = 2\n"
                + String.join("\n", lines)));
    }

    @Test
    void theBundledCorpusLineageLeavesTheHadoopConfigurationOut() throws IOException {
        check(CorpusData.open(settings(), bigConf()));
    }

    @Test
    void aPreparedDatasetsLineageLeavesTheHadoopConfigurationOut() throws Exception {
        Configuration conf = bigConf();
        Path out = CorpusDataTest.bpeDataset(dir, conf, 2);
        check(CorpusData.open(settings("pacer.data.path = \"" + out + "\""), conf));
    }

    private static void check(CorpusData data) throws IOException {
        JavaRDD<CorpusPartition> rdd = data.load(JavaSparkContext.fromSparkContext(spark.sparkContext()));
        int lineage = serializedSize(rdd.rdd());
        assertTrue(lineage < 32_000, "the lineage serializes to " + lineage + " bytes");
        List<CorpusPartition> here = data.loadHere();
        List<Integer> sizes = rdd.map(p -> p.train().sequenceCount()).collect();
        assertEquals(here.stream().map(p -> p.train().sequenceCount()).toList(), sizes);
        assertTrue(sizes.stream().allMatch(n -> n > 0), sizes.toString());
    }

    private static int serializedSize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.size();
    }
}
