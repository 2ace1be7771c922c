package dev.pacer.data.tokenize;

import java.io.Serializable;

/**
 * The tokenizer a dataset was prepared with, as its manifest records it.
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
        implements Serializable {}
