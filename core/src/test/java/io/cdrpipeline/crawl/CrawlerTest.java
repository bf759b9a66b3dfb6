package io.cdrpipeline.crawl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.SchemaChange;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.testing.CountingStore;
import io.cdrpipeline.testing.Pipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrawlerTest {
  static final LocalDate START = LocalDate.of(2026, 9, 1);

  @TempDir Path tmp;

  @Test
  void newFoldersOnlyListsNoOldDayFolderAndItsCostDoesNotGrowWithHistory() throws Exception {
    CountingStore store = new CountingStore(new LocalStore(tmp.resolve("data/cdr-bucket")));
    Pipeline p = new Pipeline(tmp, store);
    for (int d = 0; d < 60; d++) { // two months of history, three connectors
      day(store, START.plusDays(d));
    }
    CrawlResult first = p.crawler().crawlRaw(store, ProcessedSchema.SOURCE_CDR, false);
    assertThat(first.newPartitions()).isEqualTo(180);
    assertThat(first.objects()).isEqualTo(180);

    day(store, START.plusDays(60));
    store.listings.clear();
    CrawlResult second = p.crawler().crawlRaw(store, ProcessedSchema.SOURCE_CDR, false);
    assertThat(second.newPartitions()).isEqualTo(3);
    assertThat(second.refreshedPartitions()).isZero();
    List<String> dayListings =
        store.listings.stream()
            .filter(l -> l.matches(".*/\\d{4}/\\d{2}/\\d{2}/"))
            .collect(Collectors.toList());
    assertThat(dayListings).hasSize(3).allMatch(l -> l.endsWith("/2026/10/31/"));
    // root + per connector: years, months of the newest year, days of the newest month
    assertThat(store.listings).hasSize(1 + 3 * 3 + 3);
    assertThat(second.listings()).isEqualTo(store.listings.size());

    // another month of history makes no difference to the cost of finding one new day
    for (int d = 61; d < 92; d++) {
      day(store, START.plusDays(d));
    }
    p.crawler().crawlRaw(store, ProcessedSchema.SOURCE_CDR, false);
    day(store, START.plusDays(92));
    store.listings.clear();
    CrawlResult third = p.crawler().crawlRaw(store, ProcessedSchema.SOURCE_CDR, false);
    assertThat(third.newPartitions()).isEqualTo(3);
    assertThat(store.listings).hasSize(1 + 3 * 3 + 3);

    store.listings.clear();
    CrawlResult all = p.crawler().crawlRaw(store, ProcessedSchema.SOURCE_CDR, true);
    assertThat(all.newPartitions()).isZero();
    assertThat(all.refreshedPartitions()).isEqualTo(93 * 3);
    assertThat(store.listings.size()).isGreaterThan(93 * 3);
  }

  @Test
  void partitionsRecordConnectorDateCountsAndBytes() throws Exception {
    Pipeline p = new Pipeline(tmp);
    List<String> vcs = new CdrGenerator(p.cdr).generate(START, 40, 2, 9, 0, null).connectors();
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    List<Partition> parts = p.catalog.partitions(ProcessedSchema.RAW_TABLE);
    assertThat(parts).hasSize(2);
    assertThat(parts)
        .extracting(Partition::voiceConnectorId)
        .containsExactlyInAnyOrderElementsOf(vcs);
    assertThat(parts).allMatch(x -> x.date().equals(START) && x.path().endsWith("/2026/09/01"));
    assertThat(parts.stream().mapToLong(Partition::objectCount).sum()).isEqualTo(40);
    assertThat(parts).allMatch(x -> x.bytes() > x.objectCount() * 300);
  }

  @Test
  void aNewFieldIsAddedAndATypeConflictIsWidenedAndRecorded() throws Exception {
    Pipeline p = new Pipeline(tmp);
    String d1 = RawLayout.dayPrefix("vc1", START);
    p.cdr.put(
        d1 + "a",
        "{\"CallId\":\"a\",\"StartTimeEpochSeconds\":1,\"BillableDurationSeconds\":5}"
            .getBytes(StandardCharsets.UTF_8));
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    Map<String, ColumnType> cols = columns(p);
    assertThat(cols)
        .containsEntry("callid", ColumnType.VARCHAR)
        .containsEntry("billabledurationseconds", ColumnType.BIGINT)
        .doesNotContainKey("mediaregion");

    String d2 = RawLayout.dayPrefix("vc1", START.plusDays(1));
    p.cdr.put(
        d2 + "b",
        ("{\"CallId\":\"b\",\"StartTimeEpochSeconds\":2,\"BillableDurationSeconds\":\"7\","
                + "\"MediaRegion\":\"eu\",\"BillableDurationMinutes\":1}")
            .getBytes(StandardCharsets.UTF_8));
    p.cdr.put(
        d2 + "c",
        ("{\"CallId\":\"c\",\"StartTimeEpochSeconds\":3,\"BillableDurationMinutes\":1.5}")
            .getBytes(StandardCharsets.UTF_8));
    p.cdr.put(d2 + "bad", "not json".getBytes(StandardCharsets.UTF_8));
    CrawlResult r = p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    cols = columns(p);
    assertThat(cols)
        .containsEntry("mediaregion", ColumnType.VARCHAR)
        .containsEntry("billabledurationseconds", ColumnType.VARCHAR)
        .containsEntry("billabledurationminutes", ColumnType.DOUBLE)
        .containsKey("callid");
    assertThat(r.schemaChanges())
        .extracting(SchemaChange::column, SchemaChange::kind)
        .contains(
            org.assertj.core.groups.Tuple.tuple("mediaregion", SchemaChange.Kind.ADDED),
            org.assertj.core.groups.Tuple.tuple(
                "billabledurationseconds", SchemaChange.Kind.WIDENED));
    assertThat(p.catalog.schemaChanges(ProcessedSchema.RAW_TABLE))
        .anyMatch(
            c ->
                c.kind() == SchemaChange.Kind.WIDENED
                    && c.oldType() == ColumnType.BIGINT
                    && c.newType() == ColumnType.VARCHAR);
    assertThat(
            p.count(
                "SELECT count(*) FROM amazon_chime_voice_connector_cdrs WHERE mediaregion = 'eu'"))
        .isEqualTo(1);
  }

  @Test
  void otherPrefixesAndBadFoldersAreIgnored() throws Exception {
    Pipeline p = new Pipeline(tmp);
    p.cdr.put("Amazon-Chime-SMADRs/json/x/2026/09/01/a", "{}".getBytes(StandardCharsets.UTF_8));
    p.cdr.put(RawLayout.ROOT + "vc1/2026/13/01/a", "{}".getBytes(StandardCharsets.UTF_8));
    p.cdr.put(RawLayout.ROOT + "vc1/2026/02/30/a", "{}".getBytes(StandardCharsets.UTF_8));
    p.cdr.put(RawLayout.ROOT + "vc1/notayear/01/01/a", "{}".getBytes(StandardCharsets.UTF_8));
    p.cdr.put(
        RawLayout.dayPrefix("vc1", START) + "ok",
        "{\"CallId\":\"x\",\"StartTimeEpochSeconds\":1}".getBytes(StandardCharsets.UTF_8));
    CrawlResult r = p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    assertThat(r.newPartitions()).isEqualTo(1);
    assertThat(p.catalog.partitions(ProcessedSchema.RAW_TABLE))
        .extracting(Partition::path)
        .containsExactly("vc1/2026/09/01");
  }

  @Test
  void aMissingBucketIsAnError() {
    Pipeline p = new Pipeline(tmp);
    assertThatThrownBy(() -> p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false))
        .hasMessageContaining("does not exist");
  }

  @Test
  void crawlProcessedReadsColumnsFromParquetFooters() throws Exception {
    Pipeline p = new Pipeline(tmp);
    p.cdr.put(
        RawLayout.dayPrefix("vc1", START) + "x",
        ("{\"CallId\":\"x\",\"StartTimeEpochSeconds\":1764201600," + "\"Extra\":true}")
            .getBytes(StandardCharsets.UTF_8));
    p.etl().runDay(START, 1);
    CrawlResult r = p.crawler().crawlProcessed(p.table().iceberg(), false);
    assertThat(r.newPartitions()).isEqualTo(1);
    assertThat(r.objects()).isEqualTo(1);
    Map<String, ColumnType> cols =
        p.catalog.columns(ProcessedSchema.TABLE).stream()
            .collect(Collectors.toMap(CatalogColumn::name, CatalogColumn::type));
    assertThat(cols)
        .containsEntry("start_time", ColumnType.TIMESTAMP)
        .containsEntry("extra", ColumnType.BOOLEAN)
        .containsEntry("duration", ColumnType.BIGINT)
        .doesNotContainKey("year");
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE))
        .extracting(Partition::path)
        .containsExactly("year=2026/month=09/day=01");
    assertThat(p.crawler().crawlProcessed(p.table().iceberg(), false).newPartitions()).isZero();
  }

  @Test
  void typesAreInferredFromTheRecordsTheEtlKeepsNotFromAFileItRejects() throws Exception {
    Pipeline p = new Pipeline(tmp);
    String d = RawLayout.dayPrefix("vc1", START);
    p.cdr.put(
        d + "good",
        "{\"CallId\":\"g\",\"StartTimeEpochSeconds\":1788220800,\"Score\":1}"
            .getBytes(StandardCharsets.UTF_8));
    p.cdr.put(
        d + "bad",
        "{\"CallId\":\"b\",\"StartTimeEpochSeconds\":\"yesterday\",\"Score\":\"high\",\"Junk\":1}"
            .getBytes(StandardCharsets.UTF_8));
    p.cdr.put(
        d + "twice",
        "{\"CallId\":\"t\",\"callid\":\"u\",\"StartTimeEpochSeconds\":1788220800,\"Other\":true}"
            .getBytes(StandardCharsets.UTF_8));
    CrawlResult r = p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    assertThat(columns(p))
        .containsOnly(
            Map.entry("callid", ColumnType.VARCHAR),
            Map.entry("starttimeepochseconds", ColumnType.BIGINT),
            Map.entry("score", ColumnType.BIGINT));
    assertThat(r.sampledFiles()).isEqualTo(1);
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, true);
    assertThat(columns(p)).containsEntry("starttimeepochseconds", ColumnType.BIGINT).hasSize(3);
    assertThat(
            p.sql(
                    "SELECT callid, starttimeepochseconds FROM amazon_chime_voice_connector_cdrs WHERE callid = 'g'")
                .rows())
        .containsExactly(List.of("g", 1788220800L));
  }

  @Test
  void aKnownFieldIsReadByItsDocumentedNameWhateverSpellingTheCrawlSawFirst() throws Exception {
    Pipeline p = new Pipeline(tmp);
    String d = RawLayout.dayPrefix("vc1", START);
    p.cdr.put(
        d + "a",
        "{\"callid\":\"lower\",\"starttimeepochseconds\":1788220800}"
            .getBytes(StandardCharsets.UTF_8));
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    p.cdr.put(
        RawLayout.dayPrefix("vc1", START.plusDays(1)) + "b",
        "{\"CallId\":\"usual\",\"StartTimeEpochSeconds\":1788307200}"
            .getBytes(StandardCharsets.UTF_8));
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    assertThat(p.catalog.columns(ProcessedSchema.RAW_TABLE))
        .extracting(CatalogColumn::name, CatalogColumn::sourceName)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("callid", "CallId"),
            org.assertj.core.groups.Tuple.tuple("starttimeepochseconds", "StartTimeEpochSeconds"));
    assertThat(p.count("SELECT count(callid) FROM amazon_chime_voice_connector_cdrs WHERE day = 2"))
        .isEqualTo(1);
  }

  @Test
  void columnsAnOlderVersionRegisteredUnderNamesTheViewCannotHaveAreRenamedByTheNextCrawl()
      throws Exception {
    Pipeline p = new Pipeline(tmp);
    String d = RawLayout.dayPrefix("vc1", START);
    p.cdr.put(
        d + "q",
        ("{\"CallId\":\"q\",\"StartTimeEpochSeconds\":1788220800,\"a\\\"b\":1,\"\":2,\"year\":1999,"
                + "\"Source_Key\":\"k\"}")
            .getBytes(StandardCharsets.UTF_8));
    p.etl().runDay(START, 1);
    // what a crawl registered before field names were made safe: the names lower-cased as they were
    p.catalog.ensureTable(
        new io.cdrpipeline.catalog.CatalogTable(
            ProcessedSchema.RAW_TABLE,
            "x",
            "json",
            List.of("voice_connector", "year", "month", "day")));
    p.catalog.mergeColumns(
        ProcessedSchema.RAW_TABLE,
        List.of(
            new CatalogColumn("callid", "callid", ColumnType.VARCHAR, 0),
            new CatalogColumn("a\"b", "a\"b", ColumnType.BIGINT, 0),
            new CatalogColumn("", "", ColumnType.BIGINT, 0),
            new CatalogColumn("year", "year", ColumnType.BIGINT, 0),
            new CatalogColumn("source_key", "Source_Key", ColumnType.VARCHAR, 0)));
    p.catalog.upsertPartitions(
        List.of(
            new Partition(
                ProcessedSchema.RAW_TABLE,
                ProcessedSchema.SOURCE_CDR,
                "vc1/2026/09/01",
                "vc1",
                START,
                1,
                100,
                Instant.now())));
    // queries work at once: the columns the view cannot have are left out of it until a crawl
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(1);
    assertThat(p.sql("SELECT year, source_key FROM amazon_chime_voice_connector_cdrs").rows())
        .containsExactly(List.of(2026, d + "q"));

    // a crawl of new folders only finds none, and still renames them
    assertThat(p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false).newPartitions())
        .isZero();
    assertThat(p.catalog.columns(ProcessedSchema.RAW_TABLE))
        .extracting(CatalogColumn::name, CatalogColumn::sourceName)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("callid", "CallId"),
            org.assertj.core.groups.Tuple.tuple("a_b", "a\"b"),
            org.assertj.core.groups.Tuple.tuple("field", ""),
            org.assertj.core.groups.Tuple.tuple("field_year", "year"),
            org.assertj.core.groups.Tuple.tuple("field_source_key", "Source_Key"));
    assertThat(
            p.sql(
                    "SELECT callid, a_b, field, field_year, field_source_key, year, source_key "
                        + "FROM amazon_chime_voice_connector_cdrs")
                .rows())
        .containsExactly(List.of("q", 1L, 2L, 1999L, "k", 2026, d + "q"));
    assertThat(p.sql("SELECT a_b, field, field_year, field_source_key FROM processed_cdrs").rows())
        .containsExactly(List.of(1L, 2L, 1999L, "k"));
  }

  @Test
  void crawlProcessedRegistersEveryCommittedDayWhateverItsDate() throws Exception {
    Pipeline p = new Pipeline(tmp);
    LocalDate dec1 = LocalDate.of(2026, 12, 1);
    LocalDate dec2 = LocalDate.of(2026, 12, 2);
    LocalDate nov5 = LocalDate.of(2026, 11, 5);
    LocalDate oct9 = LocalDate.of(2025, 10, 9);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    for (LocalDate d : List.of(dec1, dec2, nov5, oct9)) {
      gen.generate(d, 10, 1, d.getDayOfMonth(), 0, null);
    }
    p.etl().runDay(dec1, 1);
    p.etl().runDay(dec2, 1);
    assertThat(p.crawler().crawlProcessed(p.table().iceberg(), false).newPartitions()).isEqualTo(2);
    // older days processed after newer ones were crawled (a backfill, start daily --date)
    p.etl().runDay(nov5, 1);
    assertThat(p.crawler().crawlProcessed(p.table().iceberg(), false).newPartitions()).isEqualTo(1);
    p.etl().runDay(oct9, 1);
    CrawlResult r = p.crawler().crawlProcessed(p.table().iceberg(), false);
    assertThat(r.newPartitions()).isEqualTo(1);
    assertThat(r.refreshedPartitions()).isZero();
    // a day with no rows (every file quarantined) is committed too, and is a partition of no files
    gen.generate(LocalDate.of(2026, 1, 1), 0, 1, 5, 2, null);
    p.etl().runDay(LocalDate.of(2026, 1, 1), 1);
    p.crawler().crawlProcessed(p.table().iceberg(), false);
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE))
        .extracting(Partition::date)
        .containsExactlyElementsOf(p.catalog.processedDays().stream().map(d -> d.day()).toList());
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE))
        .extracting(Partition::objectCount)
        .containsExactly(1L, 0L, 1L, 1L, 1L);

    // a re-run of a day replaces its file: the partition follows
    long before =
        p.catalog.partitions(ProcessedSchema.TABLE).stream()
            .filter(x -> x.date().equals(nov5))
            .findFirst()
            .orElseThrow()
            .bytes();
    gen.generate(nov5, 30, 1, 77, 0, null);
    p.etl().runDay(nov5, 1);
    CrawlResult again = p.crawler().crawlProcessed(p.table().iceberg(), false);
    assertThat(again.newPartitions()).isZero();
    assertThat(again.refreshedPartitions()).isEqualTo(1);
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE))
        .filteredOn(x -> x.date().equals(nov5))
        .singleElement()
        .satisfies(
            x ->
                assertThat(x.bytes())
                    .isNotEqualTo(before)
                    .isEqualTo(p.catalog.processedDay(nov5).orElseThrow().files().get(0).bytes()));
  }

  @Test
  void aProcessedFolderThatIsNoCommittedDayIsNoPartition() throws Exception {
    Pipeline p = new Pipeline(tmp);
    new CdrGenerator(p.cdr).generate(START, 10, 1, 1, 0, null);
    p.etl().runDay(START, 1);
    // a file a killed first run of another day left behind: in the folders, never committed
    Path committed = p.file(p.catalog.processedDay(START).orElseThrow().files().get(0).key());
    Path leftover = p.file(p.table().iceberg().newDataFile(START.plusDays(3), "x", 0));
    Files.createDirectories(leftover.getParent());
    Files.copy(committed, leftover);
    for (boolean everything : List.of(false, true)) {
      p.crawler().crawlProcessed(p.table().iceberg(), everything);
      assertThat(p.catalog.partitions(ProcessedSchema.TABLE))
          .extracting(Partition::date)
          .containsExactly(START);
    }
    // and a partition an older version registered for it goes
    p.catalog.upsertPartitions(
        List.of(
            new Partition(
                ProcessedSchema.TABLE,
                ProcessedSchema.SOURCE_PROCESSED,
                "year=2026/month=09/day=04",
                null,
                START.plusDays(3),
                1,
                10,
                Instant.now())));
    p.crawler().crawlProcessed(p.table().iceberg(), false);
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE))
        .extracting(Partition::date)
        .containsExactly(START);
  }

  /** One CDR per connector (vc0, vc1, vc2) in a day folder. */
  private static void day(io.cdrpipeline.store.ObjectStore store, LocalDate date) throws Exception {
    for (int v = 0; v < 3; v++) {
      store.put(
          RawLayout.dayPrefix("vc" + v, date) + "10.00.00.000_t" + v,
          ("{\"CallId\":\"c"
                  + v
                  + date
                  + "\",\"StartTimeEpochSeconds\":"
                  + date.toEpochDay() * 86400
                  + "}")
              .getBytes(StandardCharsets.UTF_8));
    }
  }

  private static Map<String, ColumnType> columns(Pipeline p) {
    return p.catalog.columns(ProcessedSchema.RAW_TABLE).stream()
        .collect(Collectors.toMap(CatalogColumn::name, CatalogColumn::type));
  }
}
