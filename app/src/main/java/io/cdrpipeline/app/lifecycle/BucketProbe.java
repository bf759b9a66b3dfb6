package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;

/**
 * Looks at CDR buckets for {@code cdr configure}: reachable, holding CDRs, and the account's
 * buckets on S3.
 */
final class BucketProbe {
  /** Buckets of an account whose contents are looked at; more are listed without a look. */
  private static final int PROBED = 100;

  private BucketProbe() {}

  /** What a CDR bucket holds: the number of voice connectors with CDRs under the prefix. */
  record Contents(StoreLocation location, int voiceConnectors) {
    String describe() {
      return voiceConnectors == 0
          ? location.display()
              + " holds no CDRs yet under "
              + RawLayout.ROOT
              + " (Voice Connector writes them there)"
          : location.display()
              + " holds CDRs of "
              + voiceConnectors
              + " voice connector"
              + (voiceConnectors == 1 ? "" : "s");
    }
  }

  /**
   * Opens the bucket, checks that it can be read, and counts its voice connectors; a failure is one
   * line.
   */
  static Contents contents(StoreLocation location, S3Settings s3) {
    try (ObjectStore store = ObjectStores.open(location, s3)) {
      store.checkReadable();
      return new Contents(location, store.listFolders(RawLayout.ROOT).size());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + location.display() + ": " + reason(e));
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(
          "cannot read " + location.display() + ": " + reason(e.getCause()));
    }
  }

  private static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null
        ? e.getClass().getSimpleName()
        : e.getMessage().replaceAll("\\s+", " ");
  }

  /** A bucket of the account, and whether it holds CDRs (empty: not looked at or not readable). */
  record Listed(String name, Optional<Boolean> holdsCdrs) {
    String location() {
      return "s3://" + name;
    }
  }

  /**
   * The account's buckets (S3 ListBuckets), those holding CDRs first; empty without credentials or
   * when the account cannot be listed.
   */
  static List<Listed> accountBuckets(S3Settings s3) {
    S3Client client;
    try {
      client = ObjectStores.accountClient(s3);
    } catch (UncheckedIOException noCredentials) {
      return List.of();
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "bucket-probe");
              t.setDaemon(true);
              return t;
            });
    try (client) {
      List<Bucket> buckets = client.listBuckets().buckets();
      List<Future<Listed>> looks = new ArrayList<>();
      for (int i = 0; i < buckets.size(); i++) {
        String name = buckets.get(i).name();
        boolean look = i < PROBED;
        looks.add(
            pool.submit(() -> new Listed(name, look ? holdsCdrs(client, name) : Optional.empty())));
      }
      List<Listed> listed = new ArrayList<>();
      for (Future<Listed> f : looks) {
        listed.add(f.get());
      }
      listed.sort(
          Comparator.comparing((Listed l) -> !l.holdsCdrs().orElse(false))
              .thenComparing(Listed::name));
      return listed;
    } catch (SdkException | ExecutionException e) {
      org.slf4j.LoggerFactory.getLogger(BucketProbe.class)
          .info("cannot list the account's buckets: {}", e.toString());
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } finally {
      pool.shutdownNow();
    }
  }

  private static Optional<Boolean> holdsCdrs(S3Client client, String bucket) {
    try {
      return Optional.of(
          client.listObjectsV2(r -> r.bucket(bucket).prefix(RawLayout.ROOT).maxKeys(1)).keyCount()
              > 0);
    } catch (SdkException e) {
      return Optional.empty(); // another region, no permission: shown without a look
    }
  }
}
