package dev.pacer.data.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.data.CorpusException;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What a Hugging Face {@code tokenizer.json} says about its token ids, checked before the
 * tokenizer is trusted: every id a non-negative integer, the vocabulary small enough for 16-bit
 * token storage, and an end-of-document token inside it (the configured one, or the first of the
 * usual ones the file has).
 *
 * @param model the model type (BPE, WordPiece, Unigram, WordLevel)
 * @param size ids in the vocabulary: the largest id plus one
 */
record TokenizerVocabulary(String model, int size, int endOfDocument, String endOfDocumentToken) {

    /** End-of-document tokens looked for, in this order, when none is configured. */
    static final List<String> END_TOKENS =
            List.of("<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>", "[SEP]", "<sep>");

    /** @param endToken the configured end-of-document token, or "" to look one up */
    static TokenizerVocabulary read(String source, byte[] bytes, String endToken) {
        JsonNode root;
        try {
            root = TokenizerSpec.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CorpusException(
                    "pacer.data.tokenizer: '" + source + "' is not valid JSON (" + CorpusException.firstLine(e)
                            + "); give a Hugging Face tokenizer.json",
                    e);
        }
        JsonNode m = root == null ? null : root.get("model");
        if (m == null || !m.isObject() || !m.path("type").isTextual()) {
            throw new CorpusException("pacer.data.tokenizer: '" + source + "' has no \"model\" with a \"type\";"
                    + " give a Hugging Face tokenizer.json (BPE, WordPiece, Unigram or WordLevel model)");
        }
        JsonNode vocab = m.get("vocab");
        int size = size(source, root, vocab);
        return endOfDocument(source, root, vocab, m.get("type").asText(), size, endToken);
    }

    private static int size(String source, JsonNode root, JsonNode vocab) {
        long maxId = -1; // long: an id near Integer.MAX_VALUE must not wrap the size below
        if (vocab != null && vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                maxId = Math.max(maxId, checkedId(source, e.getKey(), e.getValue()));
            }
        } else if (vocab != null && vocab.isArray()) {
            maxId = vocab.size() - 1; // Unigram: [[piece, score], ...], id = position
        }
        for (JsonNode t : root.path("added_tokens")) {
            maxId = Math.max(maxId, checkedId(source, t.path("content").asText("?"), t.path("id")));
        }
        if (maxId < 0) {
            throw new CorpusException("pacer.data.tokenizer: '" + source + "' has an empty vocabulary");
        }
        if (maxId >= TokenizerSpec.MAX_VOCAB) {
            throw new CorpusException("pacer.data.tokenizer: '" + source + "' has " + (maxId + 1)
                    + " token ids; Pacer stores tokens in 16 bits, so at most " + TokenizerSpec.MAX_VOCAB
                    + " ids (a GPT-2 or"
                    + " Llama-2 sized vocabulary) fit");
        }
        return (int) maxId + 1;
    }

    private static TokenizerVocabulary endOfDocument(
            String source, JsonNode root, JsonNode vocab, String model, int vocabSize, String endToken) {
        String token = endToken;
        Long id = null;
        if (!token.isEmpty()) {
            id = idOf(root, vocab, token);
            if (id == null) {
                throw new CorpusException("pacer.data.end-of-document = \"" + token + "\": no such token in '" + source
                        + "'; name one of its special tokens, e.g. </s> or <|endoftext|>");
            }
        } else {
            for (String candidate : END_TOKENS) {
                id = idOf(root, vocab, candidate);
                if (id != null) {
                    token = candidate;
                    break;
                }
            }
            if (id == null) {
                throw new CorpusException(
                        "pacer.data.tokenizer: '" + source + "' has none of the usual end-of-document" + " tokens "
                                + END_TOKENS + "; set pacer.data.end-of-document to the token that ends a document");
            }
        }
        if (id < 0 || id >= vocabSize) {
            throw new CorpusException("pacer.data.tokenizer: '" + source + "' gives the end-of-document token " + token
                    + " id " + id + ", outside its vocabulary of " + vocabSize + " ids; the file is damaged");
        }
        return new TokenizerVocabulary(model, vocabSize, id.intValue(), token);
    }

    /** A token's id, which must be a non-negative integer: ids index the model's embedding rows. */
    private static int checkedId(String source, String token, JsonNode id) {
        if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
            throw new CorpusException("pacer.data.tokenizer: '" + source + "' gives token '" + token + "' the id "
                    + (id.isMissingNode() ? "(none)" : id)
                    + "; ids must be integers from 0 (they index the model's embedding rows): fix or regenerate the"
                    + " tokenizer.json");
        }
        return id.asInt();
    }

    private static Long idOf(JsonNode root, JsonNode vocab, String token) {
        for (JsonNode t : root.path("added_tokens")) {
            if (token.equals(t.path("content").asText(null))) {
                return t.path("id").asLong(-1);
            }
        }
        if (vocab != null && vocab.isObject() && vocab.has(token)) {
            return vocab.get(token).asLong(-1);
        }
        if (vocab != null && vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                if (token.equals(vocab.get(i).path(0).asText(null))) {
                    return (long) i;
                }
            }
        }
        return null;
    }
}
