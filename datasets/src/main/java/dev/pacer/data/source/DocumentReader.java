package dev.pacer.data.source;

import dev.pacer.data.BundledCorpus;
import dev.pacer.data.CorpusException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Reads one {@link InputUnit} through the Hadoop FileSystem API (text and JSON Lines may be
 * compressed; the codec follows the extension) and hands its records to a {@link RecordCollector}.
 * Parquet is not read here: Spark's reader does that in the prepare job.
 */
public final class DocumentReader {

    private DocumentReader() {}

    public static void read(InputUnit unit, ReadOptions options, Configuration conf, RecordCollector c) {
        switch (unit.format()) {
            case BUNDLED -> {
                c.startFile(unit.path(), "line");
                try (InputStream in = BundledCorpus.open()) {
                    TextSource.readLines(in, c, true);
                } catch (IOException e) {
                    throw new CorpusException(unit.path() + ": " + CorpusException.firstLine(e), e);
                }
            }
            case TEXT, JSONL -> {
                boolean lines = unit.format() == SourceFormat.JSONL || options.textUnit() == TextUnit.LINE;
                c.startFile(unit.path(), lines ? "line" : "file");
                try (InputStream in = open(unit, conf, true)) {
                    if (unit.format() == SourceFormat.JSONL) {
                        JsonLinesSource.read(in, options.textField(), c);
                    } else if (lines) {
                        TextSource.readLines(in, c, false);
                    } else {
                        TextSource.readWhole(in, c);
                    }
                } catch (IOException e) {
                    throw new CorpusException(
                            unit.path() + ": read failed (" + CorpusException.firstLine(e)
                                    + "); a compressed file may be truncated or corrupt",
                            e);
                }
            }
            case HUGGINGFACE -> {
                c.startFile(unit.path(), "row");
                InputStream in;
                try {
                    in = open(unit, conf, false);
                } catch (IOException e) {
                    throw new CorpusException(unit.path() + ": cannot open (" + CorpusException.firstLine(e) + ")", e);
                }
                HuggingFaceArrowSource.read(in, unit.length(), unit.path(), options.textField(), c);
            }
            default ->
                throw new IllegalArgumentException(
                        unit.format() + " files are read by Spark, not here: " + unit.path());
        }
        c.endFile();
    }

    private static InputStream open(InputUnit unit, Configuration conf, boolean decompress) throws IOException {
        Path p = new Path(unit.path());
        FileSystem fs = p.getFileSystem(conf);
        InputStream raw = fs.open(p, 1 << 16);
        CompressionCodec codec = decompress ? new CompressionCodecFactory(conf).getCodec(p) : null;
        return codec == null ? raw : codec.createInputStream(raw);
    }
}
