package dev.pacer.data.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.function.Function;

/**
 * The tokenizer a dataset was prepared with, or a run trained with, as its manifest or
 * checkpoint records it.
 *
 * @param type "byte" or "huggingface"
 * @param model "byte", or the tokenizer.json model type (BPE, WordPiece, Unigram, WordLevel)
 * @param source "byte", or the tokenizer.json location as configured
 * @param sha256 SHA-256 of the tokenizer.json bytes; empty for the byte tokenizer
 * @param vocabSize number of token ids (the model's embedding rows)
 * @param endOfDocument id appended after every document
 * @param endOfDocumentToken that id's text; empty for the byte tokenizer
 */
public record TokenizerInfo(
        String type,
        String model,
        String source,
        String sha256,
        int vocabSize,
        int endOfDocument,
        String endOfDocumentToken)
        implements Serializable {

    public boolean isByte() {
        return TokenizerSpec.BYTE.equals(type);
    }

    /** One phrase for messages: "the byte tokenizer" or "BPE tokenizer.json a.json (SHA-256 0123..., 557 ids)". */
    public String describe() {
        if (isByte()) {
            return "the byte tokenizer (" + vocabSize + " ids)";
        }
        return model + " tokenizer.json " + source + " (SHA-256 " + sha256.substring(0, Math.min(12, sha256.length()))
                + "..., " + vocabSize + " ids)";
    }

    /** Writes the fields into {@code node} (snake_case, as manifests and checkpoints store them). */
    public ObjectNode writeTo(ObjectNode node) {
        return node.put("type", type)
                .put("model", model)
                .put("source", source)
                .put("sha256", sha256)
                .put("vocab_size", vocabSize)
                .put("end_of_document_id", endOfDocument)
                .put("end_of_document_token", endOfDocumentToken);
    }

    /**
     * Reads what {@link #writeTo} wrote.
     *
     * @param need returns a field's value, or throws naming the missing field and its file
     */
    public static TokenizerInfo read(Function<String, JsonNode> need) {
        return new TokenizerInfo(
                need.apply("type").asText(),
                need.apply("model").asText(),
                need.apply("source").asText(),
                need.apply("sha256").asText(),
                need.apply("vocab_size").asInt(),
                need.apply("end_of_document_id").asInt(),
                need.apply("end_of_document_token").asText());
    }
}
