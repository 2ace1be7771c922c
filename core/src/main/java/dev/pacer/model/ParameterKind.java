package dev.pacer.model;

/** What a parameter tensor does in the model; the default Hi-DLR grouping is by kind. */
public enum ParameterKind {
    TOKEN_EMBEDDING,
    POSITION_EMBEDDING,
    ATTENTION,
    MLP,
    NORM,
    BIAS
}
