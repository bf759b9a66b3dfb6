package io.cdrpipeline.testing;

import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.store.StoreLocation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/**
 * A real S3-compatible server in this JVM (S3Proxy over an in-memory blob store), with SigV4
 * authentication. It can be told to answer a share of object reads with 503 Slow Down, as S3 does
 * under load.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "cdr-access";
  public static final String SECRET_KEY = "cdr-secret-key";

  private final BlobStoreContext context;
  private final BlobStore blobs;
  private final S3Proxy proxy;

  /** Fail every n-th object read (0: never). */
  public final AtomicInteger failEvery = new AtomicInteger();

  public final AtomicInteger reads = new AtomicInteger();
  public final AtomicInteger injectedFailures = new AtomicInteger();

  /** Answer every read of this object name with 503 Slow Down (null: none), counting them. */
  public final AtomicReference<String> alwaysFail = new AtomicReference<>();

  public final AtomicInteger alwaysFailReads = new AtomicInteger();

  public S3Server() throws Exception {
    context =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .build(BlobStoreContext.class);
    blobs = context.getBlobStore();
    BlobStore faulty =
        (BlobStore)
            Proxy.newProxyInstance(
                BlobStore.class.getClassLoader(),
                new Class<?>[] {BlobStore.class},
                (p, m, args) -> {
                  if (m.getName().equals("getBlob")) {
                    int n = reads.incrementAndGet();
                    if (args.length > 1 && args[1] != null && args[1].equals(alwaysFail.get())) {
                      alwaysFailReads.incrementAndGet();
                      throw new HttpResponseException(
                          "injected slow down",
                          null,
                          HttpResponse.builder().statusCode(503).message("Slow Down").build());
                    }
                    int every = failEvery.get();
                    if (every > 0 && n % every == 0) {
                      injectedFailures.incrementAndGet();
                      throw new HttpResponseException(
                          "injected slow down",
                          null,
                          HttpResponse.builder().statusCode(503).message("Slow Down").build());
                    }
                  }
                  try {
                    return m.invoke(blobs, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    proxy =
        S3Proxy.builder()
            .blobStore(faulty)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    long end = System.nanoTime() + 10_000_000_000L;
    while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < end) {
      Thread.sleep(10);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  public void createBucket(String name) {
    blobs.createContainerInLocation(null, name);
  }

  public S3Settings settings(int concurrency) {
    return new S3Settings(Optional.of(endpoint()), true, Optional.of("us-east-1"), concurrency);
  }

  public static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /**
   * A store on a bucket (created if needed) and prefix, retrying as the product does ({@link
   * S3Store#retryStrategy()}: its attempts and conditions) but with millisecond waits.
   */
  public S3Store store(String bucket, String prefix, int concurrency) {
    if (!blobs.containerExists(bucket)) {
      createBucket(bucket);
    }
    BackoffStrategy quick =
        BackoffStrategy.exponentialDelay(Duration.ofMillis(1), Duration.ofMillis(20));
    return new S3Store(
        new StoreLocation.S3(bucket, prefix),
        settings(concurrency),
        credentials(),
        S3Store.retryStrategy().backoffStrategy(quick).throttlingBackoffStrategy(quick).build());
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
