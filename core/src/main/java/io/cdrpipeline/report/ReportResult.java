package io.cdrpipeline.report;

import java.time.YearMonth;

/** What a monthly report run wrote. */
public record ReportResult(
    YearMonth month,
    String npanxxKey,
    String summaryKey,
    long npanxxRows,
    long summaryRows,
    long calls) {}
