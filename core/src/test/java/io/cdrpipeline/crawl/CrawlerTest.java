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
import java.nio.file.Path;
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
    CrawlResult first = p.crawler().crawlRaw(store, Crawler.SOURCE_CDR, false);
    assertThat(first.newPartitions()).isEqualTo(180);
    assertThat(first.objects()).isEqualTo(180);

    day(store, START.plusDays(60));
    store.listings.clear();
    CrawlResult second = p.crawler().crawlRaw(store, Crawler.SOURCE_CDR, false);
    assertThat(second.newPartitions()).isEqualTo(3);
    assertThat(second.refreshedPartitions()).isZero();
    List<String> dayListings = store.listings.stream()
        .filter(l -> l.matches(".*/\\d{4}/\\d{2}/\\d{2}/")).collect(Collectors.toList());
    assertThat(dayListings).hasSize(3).allMatch(l -> l.endsWith("/2026/10/31/"));
    // root + per connector: years, months of the newest year, days of the newest month
    assertThat(store.listings).hasSize(1 + 3 * 3 + 3);
    assertThat(second.listings()).isEqualTo(store.listings.size());

    // another month of history makes no difference to the cost of finding one new day
    for (int d = 61; d < 92; d++) {
      day(store, START.plusDays(d));
    }
    p.crawler().crawlRaw(store, Crawler.SOURCE_CDR, false);
    day(store, START.plusDays(92));
    store.listings.clear();
    CrawlResult third = p.crawler().crawlRaw(store, Crawler.SOURCE_CDR, false);
    assertThat(third.newPartitions()).isEqualTo(3);
    assertThat(store.listings).hasSize(1 + 3 * 3 + 3);

    store.listings.clear();
    CrawlResult all = p.crawler().crawlRaw(store, Crawler.SOURCE_CDR, true);
    assertThat(all.newPartitions()).isZero();
    assertThat(all.refreshedPartitions()).isEqualTo(93 * 3);
    assertThat(store.listings.size()).isGreaterThan(93 * 3);
  }

  @Test
  void partitionsRecordConnectorDateCountsAndBytes() throws Exception {
    Pipeline p = new Pipeline(tmp);
    List<String> vcs = new CdrGenerator(p.cdr).generate(START, 40, 2, 9, 0, null).connectors();
    p.crawler().crawlRaw(p.cdr, Crawler.SOURCE_CDR, false);
    List<Partition> parts = p.catalog.partitions(ProcessedSchema.RAW_TABLE);
    assertThat(parts).hasSize(2);
    assertThat(parts).extracting(Partition::voiceConnectorId).containsExactlyInAnyOrderElementsOf(vcs);
    assertThat(parts).allMatch(x -> x.date().equals(START) && x.path().endsWith("/2026/09/01"));
    assertThat(parts.stream().mapToLong(Partition::objectCount).sum()).isEqualTo(40);
    assertThat(parts).allMatch(x -> x.bytes() > x.objectCount() * 300);
  }

  @Test
  void aNewFieldIsAddedAndATypeConflictIsWidenedAndRecorded() throws Exception {
    Pipeline p = new Pipeline(tmp);
    String d1 = RawLayout.dayPrefix("vc1", START);
    p.cdr.put(d1 + "a", "{\"CallId\":\"a\",\"StartTimeEpochSeconds\":1,\"BillableDurationSeconds\":5}".getBytes(StandardCharsets.UTF_8));
    p.crawler().crawlRaw(p.cdr, Crawler.SOURCE_CDR, false);
    Map<String, ColumnType> cols = columns(p);
    assertThat(cols).containsEntry("callid", ColumnType.VARCHAR).containsEntry("billabledurationseconds", ColumnType.BIGINT)
        .doesNotContainKey("mediaregion");

    String d2 = RawLayout.dayPrefix("vc1", START.plusDays(1));
    p.cdr.put(d2 + "b", ("{\"CallId\":\"b\",\"StartTimeEpochSeconds\":2,\"BillableDurationSeconds\":\"7\","
        + "\"MediaRegion\":\"eu\",\"BillableDurationMinutes\":1}").getBytes(StandardCharsets.UTF_8));
    p.cdr.put(d2 + "c", ("{\"CallId\":\"c\",\"StartTimeEpochSeconds\":3,\"BillableDurationMinutes\":1.5}")
        .getBytes(StandardCharsets.UTF_8));
    p.cdr.put(d2 + "bad", "not json".getBytes(StandardCharsets.UTF_8));
    CrawlResult r = p.crawler().crawlRaw(p.cdr, Crawler.SOURCE_CDR, false);
    cols = columns(p);
    assertThat(cols).containsEntry("mediaregion", ColumnType.VARCHAR)
        .containsEntry("billabledurationseconds", ColumnType.VARCHAR)
        .containsEntry("billabledurationminutes", ColumnType.DOUBLE)
        .containsKey("callid");
    assertThat(r.schemaChanges()).extracting(SchemaChange::column, SchemaChange::kind).contains(
        org.assertj.core.groups.Tuple.tuple("mediaregion", SchemaChange.Kind.ADDED),
        org.assertj.core.groups.Tuple.tuple("billabledurationseconds", SchemaChange.Kind.WIDENED));
    assertThat(p.catalog.schemaChanges(ProcessedSchema.RAW_TABLE)).anyMatch(c ->
        c.kind() == SchemaChange.Kind.WIDENED && c.oldType() == ColumnType.BIGINT && c.newType() == ColumnType.VARCHAR);
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs WHERE mediaregion = 'eu'")).isEqualTo(1);
  }

  @Test
  void otherPrefixesAndBadFoldersAreIgnored() throws Exception {
    Pipeline p = new Pipeline(tmp);
    p.cdr.put("Amazon-Chime-SMADRs/json/x/2026/09/01/a", "{}".getBytes(StandardCharsets.UTF_8));
    p.cdr.put(RawLayout.ROOT + "vc1/2026/13/01/a", "{}".getBytes(StandardCharsets.UTF_8));
    p.cdr.put(RawLayout.ROOT + "vc1/2026/02/30/a", "{}".getBytes(StandardCharsets.UTF_8));
    p.cdr.put(RawLayout.ROOT + "vc1/notayear/01/01/a", "{}".getBytes(StandardCharsets.UTF_8));
    p.cdr.put(RawLayout.dayPrefix("vc1", START) + "ok", "{\"CallId\":\"x\",\"StartTimeEpochSeconds\":1}".getBytes(StandardCharsets.UTF_8));
    CrawlResult r = p.crawler().crawlRaw(p.cdr, Crawler.SOURCE_CDR, false);
    assertThat(r.newPartitions()).isEqualTo(1);
    assertThat(p.catalog.partitions(ProcessedSchema.RAW_TABLE)).extracting(Partition::path).containsExactly("vc1/2026/09/01");
  }

  @Test
  void aMissingBucketIsAnError() {
    Pipeline p = new Pipeline(tmp);
    assertThatThrownBy(() -> p.crawler().crawlRaw(p.cdr, Crawler.SOURCE_CDR, false))
        .hasMessageContaining("does not exist");
  }

  @Test
  void crawlProcessedReadsColumnsFromParquetFooters() throws Exception {
    Pipeline p = new Pipeline(tmp);
    p.cdr.put(RawLayout.dayPrefix("vc1", START) + "x", ("{\"CallId\":\"x\",\"StartTimeEpochSeconds\":1764201600,"
        + "\"Extra\":true}").getBytes(StandardCharsets.UTF_8));
    p.etl().runDay(START, 1);
    CrawlResult r = p.crawler().crawlProcessed(p.processed, false);
    assertThat(r.newPartitions()).isEqualTo(1);
    assertThat(r.objects()).isEqualTo(1);
    Map<String, ColumnType> cols = p.catalog.columns(ProcessedSchema.TABLE).stream()
        .collect(Collectors.toMap(CatalogColumn::name, CatalogColumn::type));
    assertThat(cols).containsEntry("start_time", ColumnType.TIMESTAMP).containsEntry("extra", ColumnType.BOOLEAN)
        .containsEntry("duration", ColumnType.BIGINT).doesNotContainKey("year");
    assertThat(p.catalog.partitions(ProcessedSchema.TABLE)).extracting(Partition::path)
        .containsExactly("year=2026/month=09/day=01");
    assertThat(p.crawler().crawlProcessed(p.processed, false).newPartitions()).isZero();
  }

  /** One CDR per connector (vc0, vc1, vc2) in a day folder. */
  private static void day(io.cdrpipeline.store.ObjectStore store, LocalDate date) throws Exception {
    for (int v = 0; v < 3; v++) {
      store.put(RawLayout.dayPrefix("vc" + v, date) + "10.00.00.000_t" + v,
          ("{\"CallId\":\"c" + v + date + "\",\"StartTimeEpochSeconds\":" + date.toEpochDay() * 86400 + "}")
              .getBytes(StandardCharsets.UTF_8));
    }
  }

  private static Map<String, ColumnType> columns(Pipeline p) {
    return p.catalog.columns(ProcessedSchema.RAW_TABLE).stream()
        .collect(Collectors.toMap(CatalogColumn::name, CatalogColumn::type));
  }
}
