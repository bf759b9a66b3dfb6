package io.cdrpipeline.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalStoreTest {
  @TempDir Path dir;
  private Path root;
  private LocalStore store;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(dir.resolve("bucket"));
    store = new LocalStore(root);
  }

  private void file(String relative, String content) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private List<String> listedKeys(String prefix) throws IOException {
    return store.listAll(prefix).stream()
        .map(ObjectInfo::key)
        .sorted()
        .collect(Collectors.toList());
  }

  private List<String> keys(String prefix) throws IOException {
    List<String> keys = new ArrayList<>();
    store.listKeys(prefix, keys::add);
    keys.sort(null);
    return keys;
  }

  /** Every file and folder under the root, hidden ones included. */
  private List<String> everythingOnDisk() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root))
          .map(p -> root.relativize(p).toString())
          .sorted()
          .collect(Collectors.toList());
    }
  }

  // ---------------------------------------------------------------- basic object operations

  @Test
  void putThenReadStatAndDelete() throws IOException {
    byte[] content = "{\"CallId\":\"1\"}".getBytes(UTF_8);
    store.put("a/b/c.json", content);

    assertThat(Files.readAllBytes(root.resolve("a/b/c.json"))).isEqualTo(content);
    assertThat(store.read("a/b/c.json")).isEqualTo(content);

    Optional<ObjectInfo> info = store.stat("a/b/c.json");
    assertThat(info).isPresent();
    assertThat(info.get().key()).isEqualTo("a/b/c.json");
    assertThat(info.get().name()).isEqualTo("c.json");
    assertThat(info.get().size()).isEqualTo(content.length);
    assertThat(info.get().lastModified())
        .isEqualTo(Files.getLastModifiedTime(root.resolve("a/b/c.json")).toInstant());

    Optional<StoredObject> obj = store.readObject("a/b/c.json");
    assertThat(obj).isPresent();
    assertThat(obj.get().content()).isEqualTo(content);
    assertThat(obj.get().info().key()).isEqualTo("a/b/c.json");
    assertThat(obj.get().info().size()).isEqualTo(content.length);

    store.delete("a/b/c.json");
    assertThat(Files.exists(root.resolve("a/b/c.json"))).isFalse();
    assertThat(store.stat("a/b/c.json")).isEmpty();
    assertThat(store.readObject("a/b/c.json")).isEmpty();
  }

  @Test
  void putReplacesExistingContent() throws IOException {
    store.put("k", "old".getBytes(UTF_8));
    store.put("k", "new, longer".getBytes(UTF_8));
    assertThat(new String(store.read("k"), UTF_8)).isEqualTo("new, longer");
    assertThat(store.stat("k").orElseThrow().size()).isEqualTo(11);
  }

  @Test
  void deletingAMissingKeyIsNotAnError() throws IOException {
    assertThatCode(() -> store.delete("no/such/key")).doesNotThrowAnyException();
    assertThat(everythingOnDisk()).isEmpty();
  }

  @Test
  void readOfAMissingKeyThrows() {
    assertThatThrownBy(() -> store.read("missing")).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void statOfAMissingKeyOrAFolderIsEmpty() throws IOException {
    file("folder/x", "1");
    assertThat(store.stat("missing")).isEmpty();
    assertThat(store.stat("folder")).isEmpty();
    assertThat(store.stat("folder/x")).isPresent();
  }

  @Test
  void readObjectIsEmptyForAMissingKey() throws IOException {
    assertThat(store.readObject("missing/key.json")).isEmpty();
    assertThat(store.isFolder("missing/key.json")).isFalse();
  }

  @Test
  void readObjectIsEmptyForAFolderAndIsFolderSaysSo() throws IOException {
    file("day/sub/x.json", "{}");
    assertThat(store.readObject("day/sub")).isEmpty();
    assertThat(store.isFolder("day/sub")).isTrue();
    assertThat(store.isFolder("day/sub/x.json")).isFalse();
  }

  // ---------------------------------------------------------------- listing

  @Test
  void listIsRecursiveWithSizesAndSkipsHiddenFiles() throws IOException {
    file("p/2026/11/27/a.json", "12345");
    file("p/2026/11/27/b", "1");
    file("p/2026/11/28/deep/er/c.json", "123");
    file("p/2026/11/27/.a.json.1234.tmp", "partial");
    file("p/.hidden-dir/x.json", "no");
    file("p/2026/.DS_Store", "no");
    file("other/z.json", "not under p");

    List<ObjectInfo> all = store.listAll("p");
    assertThat(all)
        .extracting(ObjectInfo::key)
        .containsExactlyInAnyOrder(
            "p/2026/11/27/a.json", "p/2026/11/27/b", "p/2026/11/28/deep/er/c.json");
    assertThat(all)
        .filteredOn(o -> o.key().endsWith("a.json"))
        .singleElement()
        .satisfies(o -> assertThat(o.size()).isEqualTo(5));
    assertThat(listedKeys("p/")).isEqualTo(listedKeys("p"));
    assertThat(listedKeys("p/2026/11/28")).containsExactly("p/2026/11/28/deep/er/c.json");
  }

  @Test
  void listOfTheRootGivesKeysWithoutALeadingSlash() throws IOException {
    file("a.json", "1");
    file("x/b.json", "2");
    file(".hidden", "3");
    assertThat(listedKeys("")).containsExactly("a.json", "x/b.json");
  }

  @Test
  void listOfAMissingPrefixIsEmpty() throws IOException {
    assertThat(store.listAll("nothing/here")).isEmpty();
    assertThat(keys("nothing/here")).isEmpty();
    assertThat(store.listFolders("nothing/here")).isEmpty();
  }

  @Test
  void listKeysGivesTheNamesDirectlyUnderThePrefixWithoutHiddenOnes() throws IOException {
    file("day/17.10.00.020_abc", "{}");
    file("day/17.11.00.020_def.json", "{}");
    file("day/.17.12.00.020_ghi.tmp", "{}");
    file("day/sub/deeper.json", "{}");
    List<String> keys = keys("day");
    assertThat(keys)
        .containsExactly("day/17.10.00.020_abc", "day/17.11.00.020_def.json", "day/sub");
    assertThat(store.isFolder("day/sub")).isTrue();
    assertThat(store.readObject("day/sub")).isEmpty();
    assertThat(store.readObject("day/17.10.00.020_abc").orElseThrow().content())
        .isEqualTo("{}".getBytes(UTF_8));
  }

  @Test
  void listFoldersIsSortedAndSkipsFilesAndHiddenFolders() throws IOException {
    file("vc/2026/c/x", "1");
    file("vc/2026/a/x", "1");
    file("vc/2026/b/x", "1");
    file("vc/2026/10/x", "1");
    file("vc/2026/.tmp/x", "1");
    file("vc/2026/file.json", "1");
    assertThat(store.listFolders("vc/2026")).containsExactly("10", "a", "b", "c");
    assertThat(store.listFolders("")).containsExactly("vc");
  }

  // ---------------------------------------------------------------- keys

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"../outside", "a/../../outside", "a/b/../../../outside", "..", "/etc/passwd"})
  void keyEscapingTheRootIsRefused(String key) throws IOException {
    Files.writeString(dir.resolve("outside"), "secret");
    assertThatThrownBy(() -> store.read(key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("escapes");
    assertThatThrownBy(() -> store.put(key, new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.list(key, o -> {})).isInstanceOf(IllegalArgumentException.class);
    assertThat(Files.readString(dir.resolve("outside"))).isEqualTo("secret");
  }

  @Test
  void keyWithDotDotStayingInsideTheRootIsAllowed() throws IOException {
    store.put("a/../b.json", "x".getBytes(UTF_8));
    assertThat(Files.readString(root.resolve("b.json"))).isEqualTo("x");
  }

  @Test
  void siblingFolderWithTheRootAsNamePrefixIsOutside() throws IOException {
    Files.createDirectories(dir.resolve("bucket2"));
    assertThatThrownBy(() -> store.put("../bucket2/x", new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Files.exists(dir.resolve("bucket2/x"))).isFalse();
  }

  // ---------------------------------------------------------------- replacing

  @Test
  void readersSeeTheOldOrTheNewContentWholeWhilePutReplaces() throws Exception {
    int size = 256 * 1024;
    byte[] a = new byte[size];
    byte[] b = new byte[size];
    Arrays.fill(a, (byte) 'A');
    Arrays.fill(b, (byte) 'B');
    store.put("k", a);

    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    Thread reader =
        new Thread(
            () -> {
              while (!done.get() || reads.get() == 0) {
                try {
                  byte[] got = store.read("k");
                  reads.incrementAndGet();
                  if (!Arrays.equals(got, a) && !Arrays.equals(got, b)) {
                    problems.add("torn read of " + got.length + " bytes");
                  }
                } catch (IOException e) {
                  problems.add("read failed: " + e);
                }
              }
            });
    reader.start();
    try {
      for (int i = 0; i < 200; i++) {
        store.put("k", i % 2 == 0 ? b : a);
      }
    } finally {
      done.set(true);
      reader.join(60_000);
    }
    assertThat(reader.isAlive()).isFalse();
    assertThat(problems).isEmpty();
    assertThat(reads.get()).isPositive();
    assertThat(store.read("k")).isEqualTo(a); // the last of 200 puts (i = 199) wrote a
    assertThat(everythingOnDisk()).containsExactly("k");
  }

  // ---------------------------------------------------------------- links, special files, limits

  @Test
  void linksInsideTheFolderAreNeitherListedNorRead() throws IOException {
    file("in/real/a.json", "{}");
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("s.json"), "secret");
    Files.createSymbolicLink(root.resolve("in/linked-dir"), outside);
    Files.createSymbolicLink(root.resolve("in/real/linked-file"), outside.resolve("s.json"));
    Files.createSymbolicLink(root.resolve("in/loop"), Path.of(".."));

    assertThat(store.listFolders("in")).containsExactly("real");
    assertThat(listedKeys("in")).containsExactly("in/real/a.json");
    for (String linked : List.of("in/linked-dir", "in/loop", "in/loop/in")) {
      assertThat(store.listFolders(linked)).as(linked).isEmpty();
      assertThat(listedKeys(linked)).as(linked).isEmpty();
      assertThat(keys(linked)).as(linked).isEmpty();
      assertThat(store.isFolder(linked)).as(linked).isFalse();
    }
    assertThat(keys("in/real")).containsExactly("in/real/a.json", "in/real/linked-file");
    assertThatThrownBy(() -> store.readObject("in/real/linked-file"))
        .isInstanceOfSatisfying(
            UnreadableObjectException.class,
            e -> assertThat(e.kind()).isEqualTo(UnreadableObjectException.Kind.NOT_A_FILE))
        .hasMessage("a symbolic link, not followed (links inside a bucket folder are never read)");
    assertThatThrownBy(() -> store.readObject("in/linked-dir/s.json"))
        .isInstanceOfSatisfying(
            UnreadableObjectException.class,
            e -> assertThat(e.kind()).isEqualTo(UnreadableObjectException.Kind.NOT_A_FILE));
    assertThatThrownBy(() -> store.read("in/real/linked-file"))
        .isInstanceOf(UnreadableObjectException.class);
    assertThat(store.stat("in/real/linked-file")).isEmpty();
    assertThat(store.stat("in/linked-dir/s.json")).isEmpty();
  }

  @Test
  void aRootThatIsALinkIsFollowed() throws IOException {
    file("a/b.json", "{}");
    Path link = Files.createSymbolicLink(dir.resolve("bucket-link"), root);
    LocalStore linked = new LocalStore(link);
    assertThat(linked.listFolders("")).containsExactly("a");
    assertThat(linked.listAll("a")).extracting(ObjectInfo::key).containsExactly("a/b.json");
    assertThat(linked.readObject("a/b.json")).isPresent();
  }

  @Test
  void readObjectDoesNotReadAnObjectLargerThanTheLimit() throws IOException {
    file("k", "x".repeat(100));
    assertThatThrownBy(() -> store.readObject("k", 99))
        .isInstanceOfSatisfying(
            UnreadableObjectException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(UnreadableObjectException.Kind.TOO_LARGE);
              assertThat(e.size()).isEqualTo(100);
            })
        .hasMessage("file too large: 100 bytes (the limit is 99)");
    assertThat(store.readObject("k", 100).orElseThrow().content()).hasSize(100);
    assertThat(store.readObject("k").orElseThrow().info().size()).isEqualTo(100);
  }

  // ---------------------------------------------------------------- root

  @Test
  void checkReadableFailsForAMissingRoot() {
    LocalStore missing = new LocalStore(dir.resolve("no-such-bucket"));
    assertThatThrownBy(missing::checkReadable)
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no-such-bucket");
  }

  @Test
  void checkReadableFailsWhenTheRootIsAFile() throws IOException {
    Path f = Files.writeString(dir.resolve("plain-file"), "x");
    assertThatThrownBy(new LocalStore(f)::checkReadable).isInstanceOf(IOException.class);
  }

  @Test
  void checkReadablePassesForAnExistingFolder() {
    assertThatCode(store::checkReadable).doesNotThrowAnyException();
  }

  @Test
  void locationAndLocalPathAreTheNormalizedRoot() {
    LocalStore s = new LocalStore(dir.resolve("bucket/./sub/.."));
    assertThat(s.root()).isEqualTo(root.toAbsolutePath().normalize());
    assertThat(s.location()).isEqualTo(new StoreLocation.Local(root.toAbsolutePath().normalize()));
    assertThat(s.localPath("a/b")).contains(root.toAbsolutePath().normalize().resolve("a/b"));
  }
}
