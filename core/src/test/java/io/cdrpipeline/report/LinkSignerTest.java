package io.cdrpipeline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.report.LinkSigner.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkSignerTest {
  static final String PATH = "/reports/2026-10/npanxx.csv";
  static final Instant NOW = Instant.parse("2026-11-02T12:00:00Z");
  static final Instant EXPIRES = NOW.plus(Duration.ofDays(7));

  @TempDir Path tmp;

  final LinkSigner signer = new LinkSigner(secret(1));

  @Test
  void aFreshLinkIsValidUntilItsExpiryThenExpired() {
    Map<String, String> q = params(signer.sign(PATH, EXPIRES));
    assertThat(q.get("expires")).isEqualTo(Long.toString(EXPIRES.getEpochSecond()));
    assertThat(q.get("signature")).matches("[A-Za-z0-9_-]{43}"); // 32 bytes, url-safe, no padding

    assertThat(signer.verify(PATH, q.get("expires"), q.get("signature"), NOW))
        .isEqualTo(Verdict.VALID);
    assertThat(signer.verify(PATH, q.get("expires"), q.get("signature"), EXPIRES.minusSeconds(1)))
        .isEqualTo(Verdict.VALID);
    assertThat(signer.verify(PATH, q.get("expires"), q.get("signature"), EXPIRES))
        .isEqualTo(Verdict.EXPIRED);
    assertThat(
            signer.verify(
                PATH, q.get("expires"), q.get("signature"), EXPIRES.plus(Duration.ofDays(400))))
        .isEqualTo(Verdict.EXPIRED);
  }

  @Test
  void aGenuineLinkLastingLongerThanTheLifetimeIsRefused() {
    Map<String, String> forever = params(signer.sign(PATH, Instant.ofEpochSecond(9_999_999_999L)));
    assertThat(signer.verify(PATH, forever.get("expires"), forever.get("signature"), NOW))
        .isEqualTo(Verdict.TOO_LONG);
    LinkSigner hour = signer.lasting(Duration.ofHours(1));
    Map<String, String> day = params(signer.sign(PATH, NOW.plus(Duration.ofDays(1))));
    assertThat(signer.verify(PATH, day.get("expires"), day.get("signature"), NOW))
        .isEqualTo(Verdict.VALID);
    assertThat(hour.verify(PATH, day.get("expires"), day.get("signature"), NOW))
        .isEqualTo(Verdict.TOO_LONG);
    // an hour, plus the clock skew allowed between the process that signed and the one that
    // verifies
    Map<String, String> skewed =
        params(signer.sign(PATH, NOW.plus(Duration.ofHours(1)).plus(LinkSigner.CLOCK_SKEW)));
    assertThat(hour.verify(PATH, skewed.get("expires"), skewed.get("signature"), NOW))
        .isEqualTo(Verdict.VALID);
    assertThat(
            hour.verify(PATH, skewed.get("expires"), skewed.get("signature"), NOW.minusSeconds(1)))
        .isEqualTo(Verdict.TOO_LONG);
    assertThatThrownBy(() -> signer.lasting(Duration.ofDays(8)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signatureDependsOnPathExpiryAndSecretOnly() {
    assertThat(signer.sign(PATH, EXPIRES)).isEqualTo(new LinkSigner(secret(1)).sign(PATH, EXPIRES));
    assertThat(signer.sign(PATH, EXPIRES)).isNotEqualTo(signer.sign(PATH, EXPIRES.plusSeconds(1)));
    assertThat(signer.sign(PATH, EXPIRES))
        .isNotEqualTo(signer.sign("/reports/2026-10/summary.csv", EXPIRES));
  }

  @Test
  void aTamperedPathIsABadSignature() {
    Map<String, String> q = params(signer.sign(PATH, EXPIRES));
    for (String other :
        new String[] {
          "/reports/2026-10/summary.csv",
          "/reports/2026-11/npanxx.csv",
          "/reports/2026-10/npanxx.csv/",
          "/reports/2026-10/../2026-10/npanxx.csv",
          "/reports/2026-10/npanxx.CSV",
          "reports/2026-10/npanxx.csv",
          ""
        }) {
      assertThat(signer.verify(other, q.get("expires"), q.get("signature"), NOW))
          .as(other)
          .isEqualTo(Verdict.BAD_SIGNATURE);
    }
  }

  @Test
  void aTamperedExpiryIsABadSignatureEvenWhenItWouldStillBeValid() {
    Map<String, String> q = params(signer.sign(PATH, EXPIRES));
    long e = EXPIRES.getEpochSecond();
    for (String other :
        new String[] {
          Long.toString(e + 1),
          Long.toString(e + 86400 * 365),
          "0" + e,
          "+" + e,
          e + " ",
          Long.toString(e - 1)
        }) {
      assertThat(signer.verify(PATH, other, q.get("signature"), NOW))
          .as(other)
          .isEqualTo(Verdict.BAD_SIGNATURE);
    }
    // an expired link whose expiry was pushed forward is not resurrected
    Map<String, String> old = params(signer.sign(PATH, NOW.minusSeconds(60)));
    assertThat(signer.verify(PATH, old.get("expires"), old.get("signature"), NOW))
        .isEqualTo(Verdict.EXPIRED);
    assertThat(signer.verify(PATH, Long.toString(e), old.get("signature"), NOW))
        .isEqualTo(Verdict.BAD_SIGNATURE);
  }

  @Test
  void aTamperedSignatureIsABadSignature() {
    Map<String, String> q = params(signer.sign(PATH, EXPIRES));
    String sig = q.get("signature");
    String flippedLast = sig.substring(0, sig.length() - 1) + (sig.endsWith("A") ? "B" : "A");
    String flippedFirst = (sig.startsWith("A") ? "B" : "A") + sig.substring(1);
    for (String other :
        new String[] {
          flippedLast,
          flippedFirst,
          sig + "=",
          sig + "A",
          sig.substring(1),
          Base64.getEncoder()
              .encodeToString(Base64.getUrlDecoder().decode(sig)), // same bytes, other alphabet
          sig.toUpperCase(),
          "%" + sig.substring(1)
        }) {
      assertThat(signer.verify(PATH, q.get("expires"), other, NOW))
          .as(other)
          .isEqualTo(Verdict.BAD_SIGNATURE);
    }
  }

  @Test
  void missingOrGarbledParametersAreABadSignature() {
    Map<String, String> q = params(signer.sign(PATH, EXPIRES));
    String e = q.get("expires");
    String s = q.get("signature");
    assertThat(signer.verify(PATH, null, s, NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, e, null, NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, null, null, NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(null, e, s, NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, "", s, NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, e, "", NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, "tomorrow", s, NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, "-1", s, NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, "99999999999999999999999", s, NOW))
        .isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, e, "not base64 at all!", NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    assertThat(signer.verify(PATH, e, "Zm9v", NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
  }

  @Test
  void anotherSecretDoesNotVerify() {
    Map<String, String> q = params(signer.sign(PATH, EXPIRES));
    LinkSigner other = new LinkSigner(secret(2));
    assertThat(other.verify(PATH, q.get("expires"), q.get("signature"), NOW))
        .isEqualTo(Verdict.BAD_SIGNATURE);
  }

  @Test
  void theSecretIsCopiedSoChangingTheArrayLaterChangesNothing() {
    byte[] s = secret(3);
    LinkSigner a = new LinkSigner(s);
    String before = a.sign(PATH, EXPIRES);
    Arrays.fill(s, (byte) 0);
    assertThat(a.sign(PATH, EXPIRES)).isEqualTo(before);
  }

  @Test
  void theSecretFileIsCreatedOnceThenReused() throws Exception {
    Path state = tmp.resolve("state");
    LinkSigner first = LinkSigner.fromStateDir(state);
    Path file = state.resolve("link-secret");
    assertThat(file).isRegularFile();
    byte[] secret = Files.readAllBytes(file);
    assertThat(secret).hasSize(32);
    try (var entries = Files.list(state)) {
      assertThat(entries).containsExactly(file); // no temporary file left behind
    }

    LinkSigner second = LinkSigner.fromStateDir(state);
    assertThat(Files.readAllBytes(file)).isEqualTo(secret);
    Map<String, String> q = params(first.sign(PATH, EXPIRES));
    assertThat(second.verify(PATH, q.get("expires"), q.get("signature"), NOW))
        .isEqualTo(Verdict.VALID);
    assertThat(new LinkSigner(secret).sign(PATH, EXPIRES)).isEqualTo(first.sign(PATH, EXPIRES));

    Path otherState = tmp.resolve("other-state");
    LinkSigner other = LinkSigner.fromStateDir(otherState);
    assertThat(Files.readAllBytes(otherState.resolve("link-secret"))).isNotEqualTo(secret);
    assertThat(other.verify(PATH, q.get("expires"), q.get("signature"), NOW))
        .isEqualTo(Verdict.BAD_SIGNATURE);
  }

  @Test
  void theSecretFileIsReadableByItsOwnerOnly() throws Exception {
    Path state = tmp.resolve("state");
    LinkSigner.fromStateDir(state);
    Path file = state.resolve("link-secret");
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(Files.getPosixFilePermissions(file))
          .containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    } else {
      assertThat(Files.isReadable(file)).isTrue();
    }
  }

  @Test
  void aTruncatedSecretFileIsRefusedWithItsPath() throws Exception {
    Path state = Files.createDirectories(tmp.resolve("state"));
    Files.write(state.resolve("link-secret"), new byte[5]);
    assertThatThrownBy(() -> LinkSigner.fromStateDir(state))
        .hasMessageContaining(state.resolve("link-secret").toString())
        .hasMessageContaining("5 bytes");
  }

  @Test
  void badArgumentsSayWhatWasWrong() {
    assertThatThrownBy(() -> new LinkSigner(new byte[0])).hasMessageContaining("empty");
    assertThatThrownBy(() -> signer.sign("reports/x.csv", EXPIRES))
        .hasMessageContaining("'reports/x.csv'");
  }

  @Test
  void signedServerLinksPointAtTheServerAndExpireWithTheClock() {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    SignedServerLinks links = new SignedServerLinks("http://localhost:8080/", signer, clock);
    String url = links.linkFor("reports/2026-10/npanxx.csv", Duration.ofHours(1));
    assertThat(url)
        .startsWith(
            "http://localhost:8080/reports/2026-10/npanxx.csv?expires="
                + NOW.plus(Duration.ofHours(1)).getEpochSecond()
                + "&signature=");
    Map<String, String> q = params(url.substring(url.indexOf('?') + 1));
    assertThat(signer.verify(PATH, q.get("expires"), q.get("signature"), NOW))
        .isEqualTo(Verdict.VALID);

    assertThatThrownBy(() -> links.linkFor("state/link-secret", Duration.ofHours(1)))
        .hasMessageContaining("'state/link-secret'");
    assertThatThrownBy(() -> links.linkFor("reports/../state/link-secret", Duration.ofHours(1)))
        .hasMessageContaining("'..'");
    assertThatThrownBy(() -> links.linkFor(PATH.substring(1), Duration.ZERO))
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> new SignedServerLinks("localhost:8080", signer, clock))
        .hasMessageContaining("'localhost:8080'");
  }

  private static byte[] secret(int seed) {
    byte[] s = new byte[32];
    for (int i = 0; i < s.length; i++) {
      s[i] = (byte) (seed * 31 + i);
    }
    return s;
  }

  private static Map<String, String> params(String query) {
    Map<String, String> m = new HashMap<>();
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    assertThat(m.keySet()).isEqualTo(Set.of("expires", "signature"));
    return m;
  }
}
