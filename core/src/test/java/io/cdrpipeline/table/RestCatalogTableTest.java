package io.cdrpipeline.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.RestCatalogServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table in an Iceberg REST catalog: Iceberg's own REST catalog server, run in the test. */
class RestCatalogTableTest {
  static final LocalDate DAY = IcebergTableTest.DAY;
  static final LocalDate OTHER = IcebergTableTest.OTHER;

  @TempDir Path tmp;

  /** Writes and counts data files as the JDBC catalog's test does. */
  final IcebergTableTest files = new IcebergTableTest();

  RestCatalogServer server;
  Path warehouse;

  @BeforeEach
  void start() throws Exception {
    files.tmp = tmp;
    warehouse = Files.createDirectories(tmp.resolve("processed"));
    server = new RestCatalogServer(warehouse, tmp.resolve("rest-catalog.db"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  TableSettings rest(Map<String, String> properties) {
    return new TableSettings(
        TableSettings.Kind.REST, Optional.empty(), properties, Duration.ofDays(1));
  }

  IcebergTable open() {
    // the product's catalog database plays no part in a REST catalog: a URL that would fail if used
    return IcebergTable.open(
        rest(Map.of("uri", server.uri().toString())),
        "jdbc:sqlite:" + tmp.resolve("no/such/dir/x.db"),
        "cdrs",
        new LocalStore(warehouse));
  }

  @Test
  void daysAreCommittedPlannedAndReplacedThroughTheServerAndASecondClientSeesTheSameSnapshots()
      throws Exception {
    List<IcebergTable.SnapshotInfo> seen;
    try (IcebergTable t = open()) {
      assertThat(t.location()).isEqualTo("file:" + warehouse.resolve("processed_cdrs"));
      t.commitDay(DAY, "r1", List.of(files.write(t, DAY, "r1", 100)), t.currentSnapshotId());
      t.commitDay(OTHER, "r2", List.of(files.write(t, OTHER, "r2", 50)), t.currentSnapshotId());
      t.commitDay(DAY, "r3", List.of(files.write(t, DAY, "r3", 70)), t.currentSnapshotId());
      assertThat(files.rows(t, DAY)).isEqualTo(70);
      assertThat(files.rows(t, OTHER)).isEqualTo(50);
      assertThat(t.dayFiles(DAY))
          .singleElement()
          .satisfies(f -> assertThat(f.location()).contains("r3"));
      assertThat(t.plan(Expressions.equal("day", OTHER.getDayOfMonth())))
          .singleElement()
          .satisfies(f -> assertThat(f.day()).isEqualTo(OTHER));
      seen = t.history();
      assertThat(seen).extracting(s -> s.runId().orElseThrow()).containsExactly("r1", "r2", "r3");
      assertThat(seen.get(2).rowsRemoved()).isEqualTo(100);
    }
    // the server wrote the metadata into the warehouse, through the product's FileIO made by class
    // name
    try (Stream<Path> s = Files.list(warehouse.resolve("processed_cdrs/metadata"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.endsWith(".metadata.json"));
    }
    try (IcebergTable again = open()) { // a second client of the same server
      assertThat(again.history()).isEqualTo(seen);
      assertThat(files.rows(again, DAY)).isEqualTo(70);
      assertThat(again.currentSnapshotId()).contains(seen.get(2).snapshotId());
    }
  }

  @Test
  void twoClientsReplacingTheSameDayCannotBothWin() throws Exception {
    try (IcebergTable a = open();
        IcebergTable b = open()) {
      a.commitDay(DAY, "r0", List.of(files.write(a, DAY, "r0", 10)), a.currentSnapshotId());
      Optional<Long> aStarted = a.refresh().currentSnapshotId();
      Optional<Long> bStarted = b.refresh().currentSnapshotId();
      IcebergTable.NewFile aFile = files.write(a, DAY, "ra", 20);
      b.commitDay(DAY, "rb", List.of(files.write(b, DAY, "rb", 30)), bStarted);
      assertThatThrownBy(() -> a.commitDay(DAY, "ra", List.of(aFile), aStarted))
          .isInstanceOf(IcebergTable.DayConflict.class);
      assertThat(files.rows(a, DAY)).isEqualTo(30);
      // another day committed meanwhile by the other client is no conflict: the server's check
      // refuses the stale commit, Iceberg retries it on the new snapshot
      Optional<Long> started = a.refresh().currentSnapshotId();
      b.commitDay(
          OTHER, "rc", List.of(files.write(b, OTHER, "rc", 5)), b.refresh().currentSnapshotId());
      a.commitDay(DAY, "rd", List.of(files.write(a, DAY, "rd", 40)), started);
      assertThat(files.rows(b, DAY)).isEqualTo(40);
      assertThat(files.rows(b, OTHER)).isEqualTo(5);
    }
  }

  @Test
  void aUriWithATrailingSlashReachesTheSameCatalog() throws Exception {
    try (IcebergTable t = open()) {
      t.commitDay(DAY, "r1", List.of(files.write(t, DAY, "r1", 10)), t.currentSnapshotId());
    }
    try (IcebergTable t =
        IcebergTable.open(
            rest(Map.of("uri", server.uri() + "/")),
            "jdbc:sqlite:" + tmp.resolve("x.db"),
            "cdrs",
            new LocalStore(warehouse))) {
      assertThat(files.rows(t, DAY)).isEqualTo(10);
    }
  }

  @Test
  void anUnreachableServerIsOneLine() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    String uri = "http://127.0.0.1:" + port;
    TableException e =
        catchThrowableOfType(
            TableException.class,
            () ->
                IcebergTable.open(
                    rest(Map.of("uri", uri)),
                    "jdbc:sqlite:" + tmp.resolve("x.db"),
                    "cdrs",
                    new LocalStore(warehouse)));
    assertThat(e).isNotNull();
    System.out.println("unreachable: " + e.getMessage());
    assertThat(e.getMessage())
        .startsWith("cannot open the processed table in the rest catalog at " + uri + ": ")
        .contains("Connection refused")
        .doesNotContain("\n");
  }

  @Test
  void aServerThatIsNotAnIcebergCatalogIsOneLine() throws Exception {
    String uri = server.uri() + "/not/a/catalog";
    TableException e =
        catchThrowableOfType(
            TableException.class,
            () ->
                IcebergTable.open(
                    rest(Map.of("uri", uri)),
                    "jdbc:sqlite:" + tmp.resolve("x.db"),
                    "cdrs",
                    new LocalStore(warehouse)));
    assertThat(e).isNotNull();
    System.out.println("not a catalog: " + e.getMessage());
    assertThat(e.getMessage())
        .startsWith("cannot open the processed table in the rest catalog at " + uri + ": ")
        .doesNotContain("\n");
  }

  @Test
  void aStoreFileIoMadeByClassNameKeepsToTheCatalogsWarehouse() throws Exception {
    StoreFileIO io = new StoreFileIO();
    assertThatThrownBy(() -> io.newInputFile("file:" + warehouse.resolve("x")).exists())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new StoreFileIO().initialize(Map.of("warehouse", "s3://bucket/x")))
        .hasMessageContaining("needs a local folder");
    io.initialize(Map.of("warehouse", "file:" + warehouse));
    Files.writeString(warehouse.resolve("inside.txt"), "x");
    assertThat(io.newInputFile("file:" + warehouse.resolve("inside.txt")).getLength()).isEqualTo(1);
    Path outside = Files.writeString(tmp.resolve("outside.txt"), "secret");
    assertThatThrownBy(() -> io.newInputFile("file:" + outside).newStream())
        .hasMessageContaining("outside the table's folder");
    assertThatThrownBy(
            () -> io.newInputFile("file:" + warehouse.resolve("../outside.txt")).newStream())
        .hasMessageContaining("outside the table's folder");
    assertThatThrownBy(() -> io.deleteFile("file:" + outside))
        .hasMessageContaining("outside the table's folder");
    assertThat(outside).exists();
  }
}
