package dev.pacer.train;

import dev.pacer.data.BundledCorpus;
import dev.pacer.data.CorpusPartition;
import dev.pacer.data.DataSettings;
import dev.pacer.data.DocumentSplit;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * The training corpus as a cached RDD with one {@link CorpusPartition} per partition. Each task
 * reads the corpus itself (the bundled resource, or a file on any Hadoop file system) and keeps
 * its share, so no tokens travel from the driver.
 */
public final class CorpusData implements Serializable {

    private static final long serialVersionUID = 1L;

    private final DataSettings settings;
    private final int partitions;
    private final int packedLength;

    public CorpusData(DataSettings settings, int partitions, int seqLen) {
        this.settings = settings;
        this.partitions = partitions;
        this.packedLength = seqLen + 1;
    }

    public String describe() {
        return settings.bundled() ? BundledCorpus.NAME : settings.path();
    }

    /** Fails on the driver, before any job, when the configured corpus is not there. */
    public void checkExists(Configuration conf) throws IOException {
        if (settings.bundled()) {
            try (InputStream in = BundledCorpus.open()) {
                return;
            }
        }
        Path p = new Path(settings.path());
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p) || fs.getFileStatus(p).isDirectory()) {
            throw new FileNotFoundException("pacer.data.path: no corpus file at '" + settings.path()
                    + "'; give a text file with one document a line (optionally .gz), or leave"
                    + " pacer.data.path empty for the bundled Europarl corpus");
        }
    }

    public JavaRDD<CorpusPartition> load(JavaSparkContext jsc) {
        List<Integer> ids = IntStream.range(0, partitions).boxed().toList();
        JavaRDD<CorpusPartition> rdd = jsc.parallelize(ids, partitions)
                .map(p -> CorpusPartition.load(open(), p, partitions, packedLength,
                        new DocumentSplit(settings.validationFraction()), settings.maxDocuments()));
        return rdd.persist(StorageLevel.MEMORY_ONLY());
    }

    private InputStream open() throws IOException {
        if (settings.bundled()) {
            return BundledCorpus.open();
        }
        Configuration conf = new Configuration();
        Path p = new Path(settings.path());
        InputStream raw = p.getFileSystem(conf).open(p);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        return codec == null ? raw : codec.createInputStream(raw);
    }
}
