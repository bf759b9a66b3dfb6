package io.cdrpipeline.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.testing.FakeGlue;
import io.cdrpipeline.testing.S3Server;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The table in the AWS Glue Data Catalog, through Iceberg's GlueCatalog, against a local stand-in
 * for Glue that keeps state (see {@link FakeGlue}) and an S3Proxy bucket for the files: the
 * requests the product makes, and that the catalog really creates, loads and commits.
 */
class GlueCatalogTableTest {
  static final LocalDate DAY = IcebergTableTest.DAY;
  static final LocalDate OTHER = IcebergTableTest.OTHER;
  static final String ACCOUNT = "123456789012";
  static S3Server s3;

  @TempDir Path tmp;
  final IcebergTableTest files = new IcebergTableTest();
  FakeGlue glue;
  S3Store lake;
  int downloads;

  /**
   * Credentials Iceberg makes by class name ({@code client.credentials-provider}), so requests are
   * signed.
   */
  public static final class TestCredentials implements AwsCredentialsProvider {
    public static TestCredentials create() {
      return new TestCredentials();
    }

    @Override
    public AwsCredentials resolveCredentials() {
      return AwsBasicCredentials.create("glue-test", "glue-test-secret");
    }
  }

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new S3Server();
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @BeforeEach
  void start() throws Exception {
    files.tmp = tmp;
    glue = new FakeGlue();
    lake = s3.store("cdr-lake-" + Math.abs(tmp.hashCode() % 100000), "tables", 4);
  }

  @org.junit.jupiter.api.AfterEach
  void stop() throws Exception {
    glue.close();
    lake.close();
  }

  TableSettings settings() {
    Map<String, String> p = new HashMap<>();
    p.put("glue.endpoint", glue.endpoint().toString());
    p.put("glue.id", ACCOUNT);
    p.put("client.region", "eu-west-1");
    p.put("client.credentials-provider", TestCredentials.class.getName());
    return new TableSettings(TableSettings.Kind.GLUE, Optional.empty(), p, Duration.ofDays(1));
  }

  IcebergTable open() {
    return IcebergTable.open(
        settings(), "jdbc:sqlite:" + tmp.resolve("no/such/dir/x.db"), "cdrs", lake);
  }

  String key(String location) {
    String root = IcebergTable.location(lake, "");
    assertThat(location).startsWith(root);
    return location.substring(root.length());
  }

  /** Counts a day's rows by reading its data files from the bucket with DuckDB. */
  long rows(IcebergTable t, LocalDate day) throws Exception {
    long n = 0;
    for (IcebergTable.PlannedFile f : t.refresh().dayFiles(day)) {
      Path local = tmp.resolve("read-" + downloads++ + ".parquet");
      try (InputStream in = t.io().newInputFile(f.location()).newStream()) {
        Files.copy(in, local);
      }
      try (Connection c = DuckDb.open("256MB", tmp.resolve("duck"), 1);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM read_parquet(" + DuckDb.literal(local.toString()) + ")")) {
        rs.next();
        n += rs.getLong(1);
      }
    }
    return n;
  }

  @Test
  void openingCreatesTheDatabaseAndAnIcebergTableWhoseMetadataIsInTheBucket() throws Exception {
    try (IcebergTable t = open()) {
      String location = IcebergTable.location(lake, "processed_cdrs");
      assertThat(t.location()).isEqualTo(location);

      assertThat(glue.calls())
          .extracting(FakeGlue.Call::action)
          .containsSubsequence("GetDatabase", "CreateDatabase", "GetTable", "CreateTable");
      assertThat(glue.calls())
          .allSatisfy(
              c -> {
                assertThat(c.body().path("CatalogId").asText()).as(c.action()).isEqualTo(ACCOUNT);
                assertThat(c.authorization())
                    .as(c.action())
                    .startsWith("AWS4-HMAC-SHA256 Credential=glue-test/")
                    .contains("/eu-west-1/glue/aws4_request");
              });
      assertThat(glue.calls("GetDatabase").get(0).body().path("Name").asText()).isEqualTo("cdrs");
      assertThat(glue.calls("CreateDatabase"))
          .singleElement()
          .satisfies(
              c ->
                  assertThat(c.body().path("DatabaseInput").path("Name").asText())
                      .isEqualTo("cdrs"));
      assertThat(glue.calls("GetTable").get(0).body().path("DatabaseName").asText())
          .isEqualTo("cdrs");
      assertThat(glue.calls("GetTable").get(0).body().path("Name").asText())
          .isEqualTo("processed_cdrs");

      JsonNode create = glue.calls("CreateTable").get(0).body();
      assertThat(glue.calls("CreateTable")).hasSize(1);
      assertThat(create.path("DatabaseName").asText()).isEqualTo("cdrs");
      JsonNode input = create.path("TableInput");
      assertThat(input.path("Name").asText()).isEqualTo("processed_cdrs");
      assertThat(input.path("TableType").asText()).isEqualTo("EXTERNAL_TABLE");
      assertThat(input.path("StorageDescriptor").path("Location").asText()).isEqualTo(location);
      assertThat(input.path("Parameters").path("table_type").asText()).isEqualTo("ICEBERG");
      String metadata = input.path("Parameters").path("metadata_location").asText();
      assertThat(metadata).startsWith(location + "/metadata/").endsWith(".metadata.json");
      assertThat(lake.stat(key(metadata)))
          .isPresent(); // written to the bucket before Glue was told
      // Athena reads the columns from Glue: the table's columns, partition columns included
      assertThat(input.path("StorageDescriptor").path("Columns"))
          .extracting(c -> c.path("Name").asText())
          .contains("callid", "duration", "year", "month", "day");
    }
  }

  @Test
  void aDayCommitUpdatesTheTableWithTheNewMetadataAndTheVersionItReadAsTheLock() throws Exception {
    try (IcebergTable t = open()) {
      String before =
          glue.table("cdrs", "processed_cdrs")
              .path("Parameters")
              .path("metadata_location")
              .asText();
      String version = glue.table("cdrs", "processed_cdrs").path("VersionId").asText();
      int calls = glue.calls().size();
      long id =
          t.commitDay(DAY, "r1", List.of(files.write(t, DAY, "r1", 100)), t.currentSnapshotId());

      List<FakeGlue.Call> update =
          glue.calls().subList(calls, glue.calls().size()).stream()
              .filter(c -> c.action().equals("UpdateTable"))
              .toList();
      assertThat(update).hasSize(1);
      JsonNode body = update.get(0).body();
      assertThat(body.path("DatabaseName").asText()).isEqualTo("cdrs");
      assertThat(body.path("CatalogId").asText()).isEqualTo(ACCOUNT);
      assertThat(body.path("VersionId").asText()).isEqualTo(version);
      JsonNode params = body.path("TableInput").path("Parameters");
      String after = params.path("metadata_location").asText();
      assertThat(after).isNotEqualTo(before).startsWith(t.location() + "/metadata/");
      assertThat(params.path("previous_metadata_location").asText()).isEqualTo(before);
      assertThat(params.path("table_type").asText()).isEqualTo("ICEBERG");
      assertThat(lake.stat(key(after))).isPresent();
      assertThat(
              glue.table("cdrs", "processed_cdrs")
                  .path("Parameters")
                  .path("metadata_location")
                  .asText())
          .isEqualTo(after);
      assertThat(t.currentSnapshotId()).contains(id);
      assertThat(rows(t, DAY)).isEqualTo(100);
    }
  }

  @Test
  void aSecondClientLoadsTheSameTableAndAReplacedDayReadsBack() throws Exception {
    List<IcebergTable.SnapshotInfo> seen;
    try (IcebergTable t = open()) {
      t.commitDay(DAY, "r1", List.of(files.write(t, DAY, "r1", 100)), t.currentSnapshotId());
      t.commitDay(OTHER, "r2", List.of(files.write(t, OTHER, "r2", 50)), t.currentSnapshotId());
      t.commitDay(DAY, "r3", List.of(files.write(t, DAY, "r3", 70)), t.currentSnapshotId());
      seen = t.history();
    }
    int creates = glue.calls("CreateTable").size() + glue.calls("CreateDatabase").size();
    try (IcebergTable again = open()) {
      assertThat(glue.calls("CreateTable").size() + glue.calls("CreateDatabase").size())
          .isEqualTo(creates);
      assertThat(again.history()).isEqualTo(seen);
      assertThat(again.history())
          .extracting(s -> s.runId().orElseThrow())
          .containsExactly("r1", "r2", "r3");
      assertThat(rows(again, DAY)).isEqualTo(70);
      assertThat(rows(again, OTHER)).isEqualTo(50);
    }
  }

  @Test
  void anUpdateGlueRefusesForAStaleVersionIsRetriedOnTheNewOneAndCommitsOnce() throws Exception {
    try (IcebergTable t = open()) {
      t.commitDay(DAY, "r1", List.of(files.write(t, DAY, "r1", 10)), t.currentSnapshotId());
      int updates = glue.calls("UpdateTable").size();
      glue.concurrentUpdates.set(
          1); // another writer updates the Glue table between our read and our update
      t.commitDay(OTHER, "r2", List.of(files.write(t, OTHER, "r2", 20)), t.currentSnapshotId());
      List<FakeGlue.Call> tried =
          glue.calls("UpdateTable").subList(updates, glue.calls("UpdateTable").size());
      assertThat(tried).hasSize(2);
      assertThat(tried.get(1).body().path("VersionId").asText())
          .isNotEqualTo(tried.get(0).body().path("VersionId").asText());
      assertThat(t.history()).extracting(s -> s.runId().orElseThrow()).containsExactly("r1", "r2");
      assertThat(rows(t, DAY)).isEqualTo(10);
      assertThat(rows(t, OTHER)).isEqualTo(20);
      // the refused attempt's metadata file was removed again
      String current =
          glue.table("cdrs", "processed_cdrs")
              .path("Parameters")
              .path("metadata_location")
              .asText();
      String refused =
          tried
              .get(0)
              .body()
              .path("TableInput")
              .path("Parameters")
              .path("metadata_location")
              .asText();
      if (!refused.equals(current)) {
        assertThat(lake.stat(key(refused))).isEmpty();
      }
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
      assertThat(rows(a, DAY)).isEqualTo(30);
    }
  }

  @Test
  void aTableOfTheSameNameThatIsNotIcebergIsOneLineAndLeftAlone() throws Exception {
    glue.put(
        "cdrs",
        "processed_cdrs",
        Map.of("classification", "parquet")); // what the original's crawler made
    TableException e = catchThrowableOfType(TableException.class, this::open);
    assertThat(e.getMessage())
        .contains("glue catalog")
        .contains("cdrs.processed_cdrs")
        .contains("not an Iceberg table")
        .doesNotContain("\n");
    assertThat(glue.calls("CreateTable")).isEmpty();
    assertThat(glue.calls("UpdateTable")).isEmpty();
    assertThat(
            glue.table("cdrs", "processed_cdrs").path("Parameters").path("classification").asText())
        .isEqualTo("parquet");
  }

  @Test
  void aLocalWarehouseIsRefusedAndARefusingGlueIsOneLine() throws Exception {
    TableException local =
        catchThrowableOfType(
            TableException.class,
            () ->
                IcebergTable.open(
                    settings(),
                    "jdbc:sqlite:" + tmp.resolve("x.db"),
                    "cdrs",
                    new LocalStore(tmp.resolve("processed"))));
    assertThat(local).hasMessageContaining("needs an s3:// warehouse");

    glue.close(); // nothing answers at the endpoint any more
    FakeGlue other = new FakeGlue();
    other.close();
    Map<String, String> p = new HashMap<>(settings().properties());
    p.put("glue.endpoint", other.endpoint().toString());
    TableSettings gone =
        new TableSettings(TableSettings.Kind.GLUE, Optional.empty(), p, Duration.ofDays(1));
    long started = System.nanoTime();
    TableException e =
        catchThrowableOfType(
            TableException.class,
            () -> IcebergTable.open(gone, "jdbc:sqlite:" + tmp.resolve("x.db"), "cdrs", lake));
    System.out.println(
        "unreachable glue ("
            + (System.nanoTime() - started) / 1_000_000
            + " ms): "
            + e.getMessage());
    assertThat(e.getMessage())
        .startsWith(
            "cannot open the processed table in the glue catalog of account "
                + ACCOUNT
                + " at "
                + other.endpoint()
                + ": ")
        .doesNotContain("\n");
    glue = new FakeGlue(); // for stop()
  }
}
