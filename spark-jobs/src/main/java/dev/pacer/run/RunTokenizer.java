package dev.pacer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.config.ConfigError;

/**
 * The tokenizer a trained model reads, as evaluate, sample and export use it: text to ids and
 * back, and its description for other tools. Chosen from the run's {@code pacer.data.tokenizer}
 * setting; a Hugging Face {@code tokenizer.json} tokenizer plugs in here as another
 * implementation (see docs/reports.md).
 */
public interface RunTokenizer {

    /** Name as in {@code pacer.data.tokenizer}. */
    String name();

    int vocabSize();

    /** Id that ends a document (training appends it after every document). */
    int endOfDocument();

    /**
     * Ids of {@code text}, as training tokenized its documents.
     *
     * @throws IllegalArgumentException naming the first symbol the vocabulary cannot encode (a
     *     vocabulary-based tokenizer without a fallback; the byte tokenizer encodes any text)
     */
    int[] encode(String text);

    /** Raw bytes of the text the ids stand for (ids may end inside a multi-byte character). */
    byte[] decodeBytes(int[] ids);

    /** The tokenizer in Hugging Face's {@code tokenizer.json} form, for exported models. */
    ObjectNode huggingFaceJson();

    /** The tokenizer named by a run's resolved config ({@code config.json}); null means defaults. */
    static RunTokenizer forRun(JsonNode runConfig) {
        String name = runConfig == null
                ? "byte"
                : runConfig.path("data").path("tokenizer").asText("byte");
        String dataset =
                runConfig == null ? "" : runConfig.path("data").path("path").asText("");
        if (!dataset.isBlank()) {
            // a prepared dataset decides the tokenizer, whatever pacer.data.tokenizer says
            String type = dev.pacer.data.shard.PreparedDataset.open(dataset, new org.apache.hadoop.conf.Configuration())
                    .manifest()
                    .tokenizer()
                    .type();
            if (!type.equals("byte")) {
                throw new ConfigError("the run trained on " + dataset + ", prepared with a '" + type
                        + "' tokenizer, which evaluate, sample and export cannot read yet (they support: byte)");
            }
            return new ByteRunTokenizer();
        }
        if (name.equals("byte")) {
            return new ByteRunTokenizer();
        }
        throw new ConfigError("the run was trained with tokenizer '" + name
                + "', which evaluate, sample and export cannot read yet (they support: byte)");
    }
}
