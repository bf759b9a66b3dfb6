package io.cdrpipeline.report;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** Links to the product's own HTTP server: baseUrl + "/" + reportKey + "?" + signature. */
public final class SignedServerLinks implements ReportLinks {
  private final String baseUrl;
  private final LinkSigner signer;
  private final Clock clock;

  public SignedServerLinks(String baseUrl, LinkSigner signer, Clock clock) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      throw new IllegalArgumentException(
          "base URL must start with http:// or https://: '" + baseUrl + "'");
    }
    if (baseUrl.contains("?") || baseUrl.contains("#")) {
      throw new IllegalArgumentException(
          "base URL must not have a query or fragment: '" + baseUrl + "'");
    }
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String linkFor(String reportKey, Duration expiry) {
    Objects.requireNonNull(reportKey, "reportKey");
    Objects.requireNonNull(expiry, "expiry");
    if (!reportKey.startsWith(MonthlyReport.PREFIX) || reportKey.endsWith("/")) {
      throw new IllegalArgumentException(
          "report key must name an object under '"
              + MonthlyReport.PREFIX
              + "': '"
              + reportKey
              + "'");
    }
    if (expiry.isNegative() || expiry.isZero()) {
      throw new IllegalArgumentException("link expiry must be positive: " + expiry);
    }
    StringBuilder path = new StringBuilder();
    for (String segment : reportKey.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "report key has an empty, '.' or '..' segment: '" + reportKey + "'");
      }
      path.append('/').append(encode(segment));
    }
    Instant expires = clock.instant().plus(expiry);
    // the server checks the path exactly as it arrives, so the signed path is the encoded one
    return baseUrl + path + "?" + signer.sign(path.toString(), expires);
  }

  /** Percent-encodes all but RFC 3986's unreserved characters (report keys normally have none). */
  private static String encode(String segment) {
    StringBuilder b = new StringBuilder(segment.length());
    for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        b.append(c);
      } else {
        b.append('%')
            .append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
      }
    }
    return b.toString();
  }
}
