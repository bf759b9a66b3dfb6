package io.cdrpipeline.etl;

/** What the {@link Normalizer} made of one raw CDR file: a row, or the reason it was rejected. */
public sealed interface NormalizedRecord permits ProcessedRow, Rejection {}
