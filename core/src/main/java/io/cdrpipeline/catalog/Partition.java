package io.cdrpipeline.catalog;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A partition registered by a crawl. {@code source} names the bucket setting it was found in
 * ({@code cdrBucket} or {@code additionalCdrBucket} for raw data, {@code processedBucket}), {@code
 * path} is its folder relative to the table root.
 */
public record Partition(
    String table,
    String source,
    String path,
    String voiceConnectorId,
    LocalDate date,
    long objectCount,
    long bytes,
    Instant crawledAt) {}
