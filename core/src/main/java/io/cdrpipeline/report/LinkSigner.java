package io.cdrpipeline.report;

import io.cdrpipeline.store.CreateOnce;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies expiring links with HMAC-SHA256; the secret lives in a file of the state
 * folder.
 */
public final class LinkSigner {
  /** The secret's file name in the state folder. */
  public static final String SECRET_FILE = "link-secret";

  private static final int SECRET_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";
  private static final Pattern EPOCH_SECONDS = Pattern.compile("\\d{1,18}");
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

  /** The longest a link may last: what S3 allows a presigned URL, and what any config may set. */
  public static final Duration LONGEST = Duration.ofDays(7);

  /** How far ahead of this clock the clock that signed a link may have been. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private final SecretKeySpec key;
  private final Duration lifetime;

  /** A signer whose links are verified as lasting at most {@link #LONGEST}. */
  public LinkSigner(byte[] secret) {
    this(new SecretKeySpec(checked(secret).clone(), ALGORITHM), LONGEST);
  }

  private LinkSigner(SecretKeySpec key, Duration lifetime) {
    this.key = key;
    this.lifetime = lifetime;
  }

  private static byte[] checked(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("link secret must not be empty");
    }
    return secret;
  }

  /**
   * The same signer, verifying links as lasting at most {@code lifetime} (the config's {@code
   * linkExpiry}): a link whose expiry lies further ahead, however it was signed, is refused, so a
   * link never outlives what the config allows.
   */
  public LinkSigner lasting(Duration lifetime) {
    Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(
          "link lifetime must be more than zero and at most " + LONGEST + ": " + lifetime);
    }
    return new LinkSigner(key, lifetime);
  }

  /**
   * The signer of the state folder: reads {@code stateDir/link-secret}, or creates it with 32
   * random bytes (owner-only where the file system allows) if it does not exist yet.
   */
  public static LinkSigner fromStateDir(Path stateDir) throws IOException {
    Objects.requireNonNull(stateDir, "stateDir");
    Files.createDirectories(stateDir);
    Path file = stateDir.resolve(SECRET_FILE);
    if (!Files.exists(file)) {
      create(file);
    }
    byte[] secret = Files.readAllBytes(file);
    if (secret.length < SECRET_BYTES) {
      throw new IOException(
          "link secret "
              + file
              + " has "
              + secret.length
              + " bytes, expected at least "
              + SECRET_BYTES
              + ": delete it to make a new one (links already sent stop working)");
    }
    return new LinkSigner(secret);
  }

  /** Writes a new secret so that no reader sees a partial file and two racing processes agree. */
  private static void create(Path file) throws IOException {
    byte[] secret = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] ownerOnly =
        posix
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(file.getParent(), "." + SECRET_FILE, ".tmp", ownerOnly);
    try {
      if (!posix) {
        tmp.toFile().setReadable(false, false);
        tmp.toFile().setReadable(true, true);
        tmp.toFile().setWritable(false, false);
        tmp.toFile().setWritable(true, true);
      }
      Files.write(tmp, secret);
      try {
        CreateOnce.link(tmp, file);
      } catch (FileAlreadyExistsException e) {
        // another process won the race: use its secret
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The query string "expires=<epoch seconds>&signature=<url-safe base64, no padding>" for a path
   * (e.g. "/reports/2026-10/npanxx.csv").
   */
  public String sign(String path, Instant expires) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(expires, "expires");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path to sign must start with '/': '" + path + "'");
    }
    if (expires.getEpochSecond() < 0) {
      throw new IllegalArgumentException("expiry must not be before 1970: " + expires);
    }
    String e = Long.toString(expires.getEpochSecond());
    return "expires=" + e + "&signature=" + signature(path, e);
  }

  /** What {@link #verify} says about a link. */
  public enum Verdict {
    VALID,
    EXPIRED,
    BAD_SIGNATURE,
    TOO_LONG
  }

  /**
   * Checks a path with its expires and signature parameters at a given time (constant-time
   * comparison; a tampered path, expiry or signature is BAD_SIGNATURE; missing/garbled parameters
   * are BAD_SIGNATURE). A genuine link that expires further ahead than this signer's lifetime
   * allows (plus {@link #CLOCK_SKEW}) is TOO_LONG.
   */
  public Verdict verify(String path, String expires, String signature, Instant now) {
    Objects.requireNonNull(now, "now");
    if (path == null
        || expires == null
        || signature == null
        || !EPOCH_SECONDS.matcher(expires).matches()) {
      return Verdict.BAD_SIGNATURE;
    }
    // Compares the text, not decoded bytes: base64 decoders ignore the unused low bits of the
    // last character, so a decoded comparison would accept altered signatures.
    byte[] expected = signature(path, expires).getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
      return Verdict.BAD_SIGNATURE;
    }
    // The expiry is checked only once it is known to be ours, so a forged one says nothing.
    long at = Long.parseLong(expires);
    if (at > now.plus(lifetime).plus(CLOCK_SKEW).getEpochSecond()) {
      return Verdict.TOO_LONG;
    }
    return now.getEpochSecond() < at ? Verdict.VALID : Verdict.EXPIRED;
  }

  private String signature(String path, String expires) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM); // not thread-safe, and cheap to make
      mac.init(key);
      // expires is digits only, so the last '\n' separates the two unambiguously
      byte[] tag = mac.doFinal((path + "\n" + expires).getBytes(StandardCharsets.UTF_8));
      return BASE64.encodeToString(tag);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(ALGORITHM + " is not available in this Java runtime", e);
    }
  }
}
