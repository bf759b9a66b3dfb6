package io.cdrpipeline.catalog;

import java.time.Instant;
import java.time.LocalDate;

/** A raw file that the ETL rejected, with the reason. */
public record QuarantinedFile(LocalDate day, String sourceKey, String reason, Instant detectedAt) {}
