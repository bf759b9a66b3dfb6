package io.cdrpipeline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.testing.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 store against a real S3-compatible server. */
class S3StoreTest {
  static S3Server server;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    server = new S3Server();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void putListReadStatDeleteUnderAPrefix() throws Exception {
    try (S3Store s = server.store("basics", "team/a", 4)) {
      s.checkReadable();
      s.put("x/2026/01/01/one", "1".getBytes(StandardCharsets.UTF_8));
      s.put("x/2026/01/02/two.json", "22".getBytes(StandardCharsets.UTF_8));
      s.put("x/2026/01/02/.hidden", "h".getBytes(StandardCharsets.UTF_8));
      s.put("y/three", "333".getBytes(StandardCharsets.UTF_8));
      assertThat(s.listFolders("")).containsExactly("x", "y");
      assertThat(s.listFolders("x/2026/01/")).containsExactly("01", "02");
      assertThat(s.listAll("x/"))
          .extracting(ObjectInfo::key)
          .containsExactlyInAnyOrder("x/2026/01/01/one", "x/2026/01/02/two.json");
      assertThat(s.listAll("x/2026/01/02/"))
          .singleElement()
          .satisfies(o -> assertThat(o.size()).isEqualTo(2));
      assertThat(new String(s.read("y/three"), StandardCharsets.UTF_8)).isEqualTo("333");
      assertThat(s.readObject("nope")).isEmpty();
      assertThat(s.stat("y/three")).map(ObjectInfo::size).contains(3L);
      assertThat(s.stat("nope")).isEmpty();
      s.delete("y/three");
      s.delete("y/three"); // deleting a missing object is fine
      assertThat(s.stat("y/three")).isEmpty();
      assertThatThrownBy(() -> s.read("y/three")).isInstanceOf(NoSuchFileException.class);
      assertThat(s.location().display()).isEqualTo("s3://basics/team/a");
      assertThat(s.readers(10)).isEqualTo(4); // its requests in flight, whatever the workers asked
      assertThat(new LocalStore(tmp).readers(10))
          .isLessThanOrEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
    }
    try (S3Store raw = server.store("basics", "", 4)) {
      assertThat(raw.stat("team/a/x/2026/01/01/one"))
          .isPresent(); // the prefix is part of the real key
    }
  }

  @Test
  void readObjectDoesNotDownloadAnObjectLargerThanTheLimit() throws Exception {
    try (S3Store s = server.store("limits", "", 4)) {
      s.put("big", new byte[2_000_000]);
      s.put("small", new byte[1000]);
      assertThatThrownBy(() -> s.readObject("big", 1 << 20))
          .isInstanceOfSatisfying(
              UnreadableObjectException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(UnreadableObjectException.Kind.TOO_LARGE);
                assertThat(e.size()).isEqualTo(2_000_000);
              })
          .hasMessage("file too large: 2,000,000 bytes (the limit is 1,048,576)");
      assertThat(s.readObject("small", 1 << 20).orElseThrow().content()).hasSize(1000);
      assertThat(s.readObject("big").orElseThrow().content()).hasSize(2_000_000);
      assertThat(s.readObject("missing", 10)).isEmpty();
    }
  }

  @Test
  void largeObjectsDownloadWhole() throws Exception {
    byte[] data = new byte[5 * 1024 * 1024 + 12345];
    new Random(7).nextBytes(data);
    try (S3Store s = server.store("big", "", 4)) {
      s.put("big/file.parquet", data);
      Path back = tmp.resolve("back.bin");
      s.download("big/file.parquet", back);
      assertThat(Files.readAllBytes(back)).isEqualTo(data);
      assertThat(tmp.toFile().list()).containsExactly("back.bin"); // no temporary file left behind
    }
  }

  @Test
  void listingsFollowEveryPage() throws Exception {
    try (S3Store fill = server.store("pages", "p", 4);
        S3Store s =
            new S3Store(
                new StoreLocation.S3("pages", "p"),
                server.settings(4),
                S3Server.credentials(),
                S3Store.retryStrategy().build(),
                3)) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        fill.put("d" + i + "/k", new byte[] {(byte) i});
        keys.add("d" + i + "/k");
        fill.put("flat/k" + i, new byte[] {(byte) i});
      }
      // 20 objects, 3 keys a page: seven pages of objects, four of folders
      assertThat(
              s.client().listObjectsV2(r -> r.bucket("pages").prefix("p/").maxKeys(3)).contents())
          .hasSize(3);
      assertThat(s.listAll("")).extracting(ObjectInfo::key).hasSize(20).containsAll(keys);
      assertThat(s.listAll("flat/"))
          .extracting(ObjectInfo::key)
          .containsExactlyInAnyOrder(
              "flat/k0", "flat/k1", "flat/k2", "flat/k3", "flat/k4", "flat/k5", "flat/k6",
              "flat/k7", "flat/k8", "flat/k9");
      List<String> seen = new ArrayList<>();
      s.listKeys("flat/", seen::add);
      assertThat(seen).hasSize(10);
      assertThat(s.listFolders(""))
          .containsExactly("d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "flat");
      assertThatThrownBy(
              () ->
                  new S3Store(
                      new StoreLocation.S3("pages", ""),
                      server.settings(1),
                      S3Server.credentials(),
                      S3Store.retryStrategy().build(),
                      0))
          .hasMessageContaining("got 0");
    }
  }

  @Test
  void aMissingBucketIsAClearError() {
    try (S3Store s =
        new S3Store(
            new StoreLocation.S3("no-such-bucket", ""),
            server.settings(2),
            S3Server.credentials())) {
      assertThatThrownBy(s::checkReadable)
          .isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining("bucket does not exist")
          .hasMessageContaining("s3://no-such-bucket");
    }
  }

  @Test
  void throttledReadsAreRetried() throws Exception {
    try (S3Store s = server.store("throttle", "", 4)) {
      for (int i = 0; i < 20; i++) {
        s.put("k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
      server.failEvery.set(3);
      try {
        for (int i = 0; i < 20; i++) {
          assertThat(new String(s.read("k" + i), StandardCharsets.UTF_8)).isEqualTo("v" + i);
        }
      } finally {
        server.failEvery.set(0);
      }
      assertThat(server.injectedFailures.get()).isGreaterThan(5);
    }
  }

  @Test
  void theCacheFetchesOnceAndEvictsTheLeastRecentlyUsed() throws Exception {
    try (S3Store s = server.store("cache", "", 4)) {
      for (int i = 0; i < 4; i++) {
        s.put("f" + i, new byte[1000]);
      }
      ObjectCache cache = new ObjectCache(tmp.resolve("cache"), 2500);
      Path a = cache.fetch(s, "f0");
      int before = server.reads.get();
      assertThat(cache.fetch(s, "f0")).isEqualTo(a);
      assertThat(server.reads.get()).isEqualTo(before); // cached: no second read
      cache.fetch(s, "f1");
      cache.fetch(s, "f2");
      cache.release();
      assertThat(cache.size()).isLessThanOrEqualTo(2500);
      assertThat(List.of(Files.exists(a))).containsExactly(false); // the oldest went first
    }
  }
}
