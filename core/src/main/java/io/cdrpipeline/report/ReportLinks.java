package io.cdrpipeline.report;

import java.time.Duration;

/** Makes download links for report objects. */
public interface ReportLinks {
  /** A URL that downloads the object until the expiry passes. */
  String linkFor(String reportKey, Duration expiry);
}
