package io.cdrpipeline.catalog;

import io.cdrpipeline.etl.Rejection;
import io.cdrpipeline.model.Column;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Everything that replaces one processed day in a single catalog transaction. */
public record DayCommit(
    LocalDate day,
    String runId,
    String fingerprint,
    long sourceObjects,
    long sourceBytes,
    long rowsWritten,
    List<ProcessedDay.ProcessedFile> files,
    List<Rejection> rejections,
    List<Column> columns,
    Instant at) {}
