package io.cdrpipeline.report;

import io.cdrpipeline.store.S3Store;
import java.time.Duration;
import java.util.Objects;

/** Links to report objects in S3: presigned GET URLs that expire (S3's own signature). */
public final class S3PresignedLinks implements ReportLinks {
  private final S3Store reports;

  public S3PresignedLinks(S3Store reports) {
    this.reports = Objects.requireNonNull(reports, "reports");
  }

  @Override
  public String linkFor(String reportKey, Duration expiry) {
    if (expiry.isZero() || expiry.isNegative() || expiry.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException(
          "an S3 presigned link lasts more than 0 and at most 7 days, not " + expiry);
    }
    return reports.presignedGet(reportKey, expiry);
  }
}
