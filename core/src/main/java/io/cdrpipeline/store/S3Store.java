package io.cdrpipeline.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A bucket in S3 or an S3-compatible store, through AWS SDK v2. Keys are relative to the location's
 * prefix. Each request is retried by the SDK's standard strategy, the one retry layer of S3 I/O
 * (see {@link #retryStrategy()}). Data files of the table do not go through here but through
 * Iceberg's S3FileIO.
 */
public final class S3Store implements ObjectStore {
  /** Keys one listing request asks for: S3's own most. */
  static final int PAGE_SIZE = 1000;

  /** Attempts of one S3 request in all, the first included. */
  public static final int MAX_ATTEMPTS = 8;

  private final S3Client s3;
  private final StoreLocation.S3 location;
  private final String bucket;
  private final String prefix;
  private final int maxConcurrency;
  private final S3Settings settings;
  private final AwsCredentialsProvider credentials;
  private final int pageSize;

  public S3Store(StoreLocation.S3 location, S3Settings settings) {
    this(location, settings, DefaultCredentialsProvider.builder().build());
  }

  public S3Store(
      StoreLocation.S3 location, S3Settings settings, AwsCredentialsProvider credentials) {
    this(location, settings, credentials, retryStrategy().build());
  }

  /**
   * A store whose requests retry with {@code retry} (tests shorten the waits of {@link
   * #retryStrategy()}).
   */
  public S3Store(
      StoreLocation.S3 location,
      S3Settings settings,
      AwsCredentialsProvider credentials,
      RetryStrategy retry) {
    this(location, settings, credentials, retry, PAGE_SIZE);
  }

  /**
   * A store whose listings ask for {@code pageSize} keys a request (tests list many pages of few
   * objects).
   */
  S3Store(
      StoreLocation.S3 location,
      S3Settings settings,
      AwsCredentialsProvider credentials,
      RetryStrategy retry,
      int pageSize) {
    Objects.requireNonNull(retry, "retry is null");
    if (pageSize < 1 || pageSize > PAGE_SIZE) {
      throw new IllegalArgumentException("pageSize must be 1.." + PAGE_SIZE + ", got " + pageSize);
    }
    this.pageSize = pageSize;
    this.location = Objects.requireNonNull(location, "location");
    this.bucket = location.bucket();
    this.prefix = location.prefix().isEmpty() ? "" : location.prefix() + "/";
    this.maxConcurrency = settings.maxConcurrency();
    this.settings = settings;
    this.credentials = credentials;
    this.s3 = newClient(settings, credentials, retry);
  }

  /**
   * A client set up as every store's is (endpoint, path style, region, retries), for requests about
   * the account rather than one bucket: listing, creating and deleting buckets.
   */
  public static S3Client accountClient(S3Settings settings, AwsCredentialsProvider credentials) {
    return newClient(settings, credentials, retryStrategy().build());
  }

  /**
   * An AWS API client's builder (Glue, EMR) set up as the product's S3 clients are: the Apache 5
   * HTTP client with the same connect and socket timeouts, the same one retry layer ({@link
   * #retryStrategy}), and {@code apiCallTimeout} for a whole call with its retries.
   */
  public static <
          B extends
              software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>
                  & software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>>
      B apiClient(B builder, Duration apiCallTimeout) {
    return builder
        .httpClientBuilder(
            Apache5HttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60)))
        .overrideConfiguration(
            o -> o.retryStrategy(retryStrategy().build()).apiCallTimeout(apiCallTimeout));
  }

  /** A new SDK client for the settings, as every store of them uses (the caller closes it). */
  public static S3Client newClient(
      S3Settings settings, AwsCredentialsProvider credentials, RetryStrategy retry) {
    S3ClientBuilder b =
        S3Client.builder()
            .credentialsProvider(credentials)
            .httpClientBuilder(
                Apache5HttpClient.builder()
                    .maxConnections(Math.max(settings.maxConcurrency(), 8))
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60)))
            .overrideConfiguration(
                o -> o.retryStrategy(retry).apiCallTimeout(Duration.ofMinutes(10)))
            .forcePathStyle(settings.pathStyle());
    settings
        .endpoint()
        .ifPresent(
            e -> {
              b.endpointOverride(e);
              // S3-compatible stores often lack the newer default checksums (chunked trailers)
              b.requestChecksumCalculation(
                  software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED);
              b.responseChecksumValidation(
                  software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
            });
    b.region(Region.of(settings.region().orElseGet(S3Store::defaultRegion)));
    return b.build();
  }

  /**
   * How every S3 request is retried: the SDK's standard strategy, which decides from its own
   * signals (throttling and 5xx status codes and error codes, I/O failures, clock skew; never
   * message text), backs off with jitter, and stops early when its token bucket says the service
   * keeps failing, for at most {@link #MAX_ATTEMPTS} attempts. The steps above do not retry an S3
   * error again, so one throttled call costs at most that many requests in all.
   */
  public static StandardRetryStrategy.Builder retryStrategy() {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS);
  }

  /**
   * The region when none is configured: {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, {@code
   * aws.region}, else us-east-1.
   */
  public static String defaultRegion() {
    String r = System.getenv("AWS_REGION");
    if (r == null || r.isBlank()) {
      r = System.getenv("AWS_DEFAULT_REGION");
    }
    if (r == null || r.isBlank()) {
      r = System.getProperty("aws.region");
    }
    return r == null || r.isBlank() ? "us-east-1" : r;
  }

  /** A presigned GET URL of an object, valid for the given time. */
  public String presignedGet(String key, Duration expiry) {
    var b =
        software.amazon.awssdk.services.s3.presigner.S3Presigner.builder()
            .credentialsProvider(credentials)
            .region(Region.of(settings.region().orElseGet(S3Store::defaultRegion)))
            .serviceConfiguration(
                software.amazon.awssdk.services.s3.S3Configuration.builder()
                    .pathStyleAccessEnabled(settings.pathStyle())
                    .build());
    settings.endpoint().ifPresent(b::endpointOverride);
    try (var presigner = b.build()) {
      return presigner
          .presignGetObject(
              r ->
                  r.signatureDuration(expiry)
                      .getObjectRequest(g -> g.bucket(bucket).key(prefix + key)))
          .url()
          .toString();
    }
  }

  /** The settings the store was made with. */
  public S3Settings settings() {
    return settings;
  }

  /** The credentials the store signs with. */
  public AwsCredentialsProvider credentials() {
    return credentials;
  }

  /** The SDK client, for presigning and tests. */
  public S3Client client() {
    return s3;
  }

  public String bucket() {
    return bucket;
  }

  /** The full object key of a store key. */
  public String fullKey(String key) {
    return prefix + key;
  }

  @Override
  public StoreLocation location() {
    return location;
  }

  @Override
  public void checkReadable() throws IOException {
    try {
      s3.listObjectsV2(r -> r.bucket(bucket).prefix(prefix).maxKeys(1));
    } catch (NoSuchBucketException e) {
      throw new NoSuchFileException(location.display(), null, "bucket does not exist");
    } catch (S3Exception e) {
      if (e.statusCode() == 403) {
        throw new AccessDeniedException(
            location.display(), null, "access denied: " + e.awsErrorDetails().errorMessage());
      }
      if (e.statusCode() == 404) {
        throw new NoSuchFileException(location.display(), null, "bucket does not exist");
      }
      throw io(e);
    } catch (SdkException e) {
      throw io(e);
    }
  }

  @Override
  public List<String> listFolders(String folder) throws IOException {
    List<String> names = new ArrayList<>();
    String p = prefix + folder;
    try {
      s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(p).delimiter("/").maxKeys(pageSize))
          .commonPrefixes()
          .forEach(
              cp -> {
                String name = cp.prefix().substring(p.length());
                if (name.endsWith("/")) {
                  name = name.substring(0, name.length() - 1);
                }
                if (!name.isEmpty() && !name.startsWith(".")) {
                  names.add(name);
                }
              });
    } catch (SdkException e) {
      throw io(e);
    }
    names.sort(null);
    return names;
  }

  @Override
  public void list(String folder, Consumer<ObjectInfo> sink) throws IOException {
    String p = prefix + folder;
    try {
      s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(p).maxKeys(pageSize))
          .contents()
          .forEach(
              o -> {
                String key = o.key().substring(prefix.length());
                if (!o.key().endsWith("/") && !name(key).startsWith(".")) {
                  sink.accept(new ObjectInfo(key, o.size(), o.lastModified()));
                }
              });
    } catch (SdkException e) {
      throw io(e);
    }
  }

  @Override
  public byte[] read(String key) throws IOException {
    return readObject(key)
        .orElseThrow(() -> new NoSuchFileException(location.display() + "/" + key))
        .content();
  }

  @Override
  public Optional<StoredObject> readObject(String key, long maxBytes) throws IOException {
    try (ResponseInputStream<GetObjectResponse> in =
        s3.getObject(b -> b.bucket(bucket).key(prefix + key))) {
      Long size = in.response().contentLength();
      if (size != null && size > maxBytes) {
        in.abort(); // do not download what will not be used
        throw UnreadableObjectException.tooLarge(key, size, maxBytes);
      }
      byte[] content = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
      if (content.length > maxBytes) {
        in.abort();
        throw UnreadableObjectException.tooLarge(key, size == null ? -1 : size, maxBytes);
      }
      return Optional.of(
          new StoredObject(
              new ObjectInfo(key, content.length, in.response().lastModified()), content));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw io(e);
    }
  }

  /** Streams an object into a local file. */
  public void download(String key, Path target) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + System.nanoTime() + ".tmp");
    try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(prefix + key))) {
      Files.createDirectories(target.getParent());
      Files.copy(in, tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(location.display() + "/" + key);
    } catch (SdkException e) {
      throw io(e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public void put(String key, byte[] content) throws IOException {
    try {
      s3.putObject(b -> b.bucket(bucket).key(prefix + key), RequestBody.fromBytes(content));
    } catch (SdkException e) {
      throw io(e);
    }
  }

  @Override
  public void delete(String key) throws IOException {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(prefix + key));
    } catch (SdkException e) {
      throw io(e);
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    try {
      HeadObjectResponse h = s3.headObject(b -> b.bucket(bucket).key(prefix + key));
      return Optional.of(new ObjectInfo(key, h.contentLength(), h.lastModified()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw io(e);
    } catch (SdkException e) {
      throw io(e);
    }
  }

  @Override
  public int readers(int requested) {
    return maxConcurrency; // s3.maxConcurrency: the requests kept in flight
  }

  private static String name(String key) {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? key : key.substring(slash + 1);
  }

  private IOException io(SdkException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new IOException(location.display() + ": " + m, e);
  }

  @Override
  public void close() {
    s3.close();
  }

  @Override
  public String toString() {
    return location.display();
  }
}
