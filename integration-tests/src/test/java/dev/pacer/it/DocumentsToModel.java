package dev.pacer.it;

// docs/data-engineers.md shows this class from here to the end of the file (WorkedExampleTest checks it).
import dev.pacer.api.CorpusPreparation;
import dev.pacer.api.PacerConfig;
import dev.pacer.api.PreparationResult;
import dev.pacer.api.PreparedCorpus;
import dev.pacer.api.PretrainResult;
import dev.pacer.api.Pretraining;
import java.io.IOException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** An application's job: documents in a DataFrame become a prepared dataset and a trained model. */
public final class DocumentsToModel {

    private DocumentsToModel() {}

    public static PretrainResult run(SparkSession spark, String dataset, String runDir) throws IOException {
        // 1. Documents as the application has them (here made up; usually spark.table(...) or spark.read()).
        Dataset<Row> docs = spark.range(0, 400)
                .selectExpr(
                        "id AS doc_id",
                        "concat('Report ', id, ': the committee met on day ', id % 28 + 1,"
                                + " ' and approved item ', id * 7, '.') AS body")
                .orderBy("doc_id"); // a fixed order makes the dataset the same on every run

        // 2. Prepare them: the byte tokenizer, sequences of 32 tokens, 2 shards per split. With
        //    append(), running the job again adds only documents the dataset does not hold yet.
        PreparationResult prepared = CorpusPreparation.fromDataFrame(docs, "body")
                .idColumn("doc_id")
                .tokenizer("byte")
                .config(PacerConfig.defaults().set("pacer.data.seq-len", 32).set("pacer.data.shards", 2))
                .append()
                .writeTo(dataset);
        System.out.println(prepared.status() + ": version " + prepared.version() + ", " + prepared.documents()
                + " documents, " + prepared.tokens() + " tokens");

        // 3. Check it with Spark SQL before training.
        PreparedCorpus corpus = PreparedCorpus.open(spark, dataset);
        corpus.documents().createOrReplaceTempView("prepared_documents");
        spark.sql("SELECT version, split, count(*) AS documents, sum(utf8_bytes) AS bytes"
                        + " FROM prepared_documents GROUP BY version, split ORDER BY version, split")
                .show();

        // 4. Train the tiny preset for 6 steps in this session (it stays running). Calling run()
        //    again resumes from the newest checkpoint, as bin/pacer pretrain does.
        return Pretraining.with(PacerConfig.defaults()
                        .set("pacer.model.preset", "tiny")
                        .set("pacer.data.path", dataset)
                        .set("pacer.run.dir", runDir)
                        .set("pacer.train.seq-len", 32)
                        .set("pacer.train.global-batch", 4)
                        .set("pacer.train.micro-batch", 2)
                        .set("pacer.train.max-steps", 6)
                        .set("pacer.train.eval-every", 3)
                        .set("pacer.train.eval-sequences", 8)
                        .settings())
                .inSession(spark)
                .run();
    }
}
