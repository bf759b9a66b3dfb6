package io.cdrpipeline.crawl;

import io.cdrpipeline.catalog.SchemaChange;
import java.time.Duration;
import java.util.List;

/** What one crawl found: folders listed, partitions added or refreshed, schema changes. */
public record CrawlResult(
    String table,
    boolean everything,
    int listings,
    int newPartitions,
    int refreshedPartitions,
    long objects,
    long bytes,
    long sampledFiles,
    List<SchemaChange> schemaChanges,
    Duration elapsed) {}
