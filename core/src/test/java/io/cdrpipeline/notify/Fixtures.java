package io.cdrpipeline.notify;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;

/** Notifications and settings shared by the notify tests. */
final class Fixtures {
  static final String LINK = "https://reports.example.com/2026-11/report.csv?X-Amz-Signature=abc";

  /** Retries quickly enough for a test: 3 attempts, 1 ms then 2 ms apart. */
  static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));

  private Fixtures() {}

  static Notification report() {
    return new Notification(
        "Monthly CDR report ready",
        "The report for 2026-11 is ready.",
        "exec-42",
        "report",
        "SUCCEEDED",
        Optional.of(LINK));
  }

  /** A port nothing listens on: taken from the OS, then released. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
