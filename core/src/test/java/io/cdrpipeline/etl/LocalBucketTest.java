package io.cdrpipeline.etl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.catalog.CatalogColumn;
import io.cdrpipeline.catalog.Partition;
import io.cdrpipeline.catalog.QuarantinedFile;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A CDR bucket in a local folder: links never lead out of it nor into a folder read twice, and a
 * file that is a pipe or cannot be read is quarantined without stopping the day.
 */
class LocalBucketTest {
  static final LocalDate DAY1 = LocalDate.of(2026, 11, 1);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 2);
  static final String PREFIX = RawLayout.dayPrefix("vc1", DAY1);

  @TempDir Path tmp;

  private static void put(Pipeline p, String key, String json) throws Exception {
    p.cdr.put(key, json.getBytes(UTF_8));
  }

  private static String record(String callId, LocalDate day) {
    return "{\"CallId\":\""
        + callId
        + "\",\"StartTimeEpochSeconds\":"
        + day.toEpochDay() * 86400
        + "}";
  }

  private static Map<String, String> reasons(Pipeline p, LocalDate day) {
    return p.catalog.quarantine(Optional.of(day)).stream()
        .collect(
            Collectors.toMap(
                f -> f.sourceKey().substring(f.sourceKey().lastIndexOf('/') + 1),
                QuarantinedFile::reason));
  }

  @ParameterizedTest(name = "02 -> {0}")
  @ValueSource(strings = {"01", "../..", "(the absolute path of 01)"})
  void aDayFolderThatIsALinkIsNeitherCrawledNorRead(String target) throws Exception {
    Pipeline p = new Pipeline(tmp);
    new CdrGenerator(p.cdr).generate(DAY1, 20, 1, 1, 0, null);
    Path day1 =
        p.cdrRoot().resolve(RawLayout.dayPrefix(p.cdr.listFolders(RawLayout.ROOT).get(0), DAY1));
    Files.createSymbolicLink(
        day1.resolveSibling("02"), target.startsWith("(") ? day1 : Path.of(target));

    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    assertThat(p.catalog.partitions(ProcessedSchema.RAW_TABLE))
        .extracting(Partition::date)
        .containsExactly(DAY1);
    EtlSummary full = p.etl().runFull(2, false);
    assertThat(full.days()).extracting(DaySummary::day).containsExactly(DAY1);
    // the link is no day folder: the day has no raw file, so it is not processed at all
    assertThatThrownBy(() -> p.etl().runDay(DAY2, 2))
        .isInstanceOf(DayRefusedException.class)
        .hasMessageContaining("no raw CDR files for " + DAY2);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(20);
    assertThat(p.count("SELECT count(DISTINCT callid) FROM processed_cdrs")).isEqualTo(20);
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs")).isEqualTo(20);
  }

  @Test
  void aLinkToAFileOutsideTheBucketOrToAnotherDayIsQuarantinedAndNotRead() throws Exception {
    Pipeline p = new Pipeline(tmp);
    put(p, PREFIX + "real", record("real", DAY1));
    put(p, RawLayout.dayPrefix("vc1", DAY2) + "other-day", record("other-day", DAY2));
    Path outside =
        Files.writeString(
            tmp.resolve("outside.json"),
            "{\"CallId\":\"secret\",\"StartTimeEpochSeconds\":1793491200,\"SecretField\":\"pin 1234\"}");
    Path dir = p.cdrRoot().resolve(PREFIX);
    Files.createSymbolicLink(dir.resolve("to-outside"), outside);
    Files.createSymbolicLink(dir.resolve("to-other-day"), Path.of("../02/other-day"));
    Files.createSymbolicLink(dir.resolve("dangling"), tmp.resolve("no-such-file"));
    Files.createSymbolicLink(
        dir.resolve("to-folder"), p.cdrRoot().resolve(RawLayout.dayPrefix("vc1", DAY2)));

    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary s = p.etl().runDay(DAY1, 2);

    assertThat(s.rowsWritten()).isEqualTo(1);
    assertThat(s.rejected()).isEqualTo(4);
    assertThat(reasons(p, DAY1))
        .containsOnlyKeys("to-outside", "to-other-day", "dangling", "to-folder")
        .allSatisfy(
            (k, v) ->
                assertThat(v)
                    .isEqualTo(
                        "a symbolic link, not followed (links inside a bucket folder are never read)"));
    assertThat(p.sql("SELECT callid FROM processed_cdrs").rows()).containsExactly(List.of("real"));
    assertThat(p.catalog.columns(ProcessedSchema.RAW_TABLE))
        .extracting(CatalogColumn::name)
        .doesNotContain("secretfield");
    assertThat(p.catalog.partitions(ProcessedSchema.RAW_TABLE))
        .filteredOn(x -> x.date().equals(DAY1))
        .singleElement()
        .satisfies(x -> assertThat(x.objectCount()).isEqualTo(1));
  }

  @Test
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aNamedPipeIsQuarantinedWithoutBeingOpened() throws Exception {
    Pipeline p = new Pipeline(tmp);
    put(p, PREFIX + "real", record("real", DAY1));
    Path fifo = p.cdrRoot().resolve(PREFIX + "pipe");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();

    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    EtlSummary s = p.etl().runDay(DAY1, 2);

    assertThat(s.rowsWritten()).isEqualTo(1);
    assertThat(reasons(p, DAY1))
        .containsOnly(
            Map.entry("pipe", "not a regular file (a named pipe, socket or device), not read"));
  }

  @Test
  void aFileThatCannotBeReadIsQuarantinedAndFullTriesItAgainOnceItCan() throws Exception {
    Pipeline p = new Pipeline(tmp);
    put(p, PREFIX + "real", record("real", DAY1));
    put(
        p,
        PREFIX + "locked",
        "{\"CallId\":\"locked\",\"StartTimeEpochSeconds\":1793491200,\"Pin\":1234}");
    Path locked = p.cdrRoot().resolve(PREFIX + "locked");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));

    // a separate JVM, which as root is run without the right to ignore file permissions
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search"));
    }
    cmd.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            io.cdrpipeline.testing.EtlChild.class.getName(),
            tmp.toString(),
            DAY1.toString(),
            "2",
            "crawl"));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(output).isZero();

    assertThat(reasons(p, DAY1))
        .containsOnly(Map.entry("locked", "cannot be read: permission denied"));
    assertThat(p.sql("SELECT callid FROM processed_cdrs").rows()).containsExactly(List.of("real"));
    assertThat(p.catalog.columns(ProcessedSchema.RAW_TABLE))
        .extracting(CatalogColumn::name)
        .containsExactly("callid", "starttimeepochseconds");

    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-r--r--"));
    EtlSummary again = p.etl().runFull(2, false);
    assertThat(again.days()).extracting(DaySummary::skipped).containsExactly(false);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(2);
    assertThat(p.catalog.quarantine(Optional.of(DAY1))).isEmpty();
    assertThat(p.etl().runFull(2, false).daysSkipped()).isEqualTo(1);
  }

  @Test
  void theBucketFolderItselfMayBeALink() throws Exception {
    Path real = Files.createDirectories(tmp.resolve("disk/cdrs"));
    Files.createDirectories(tmp.resolve("data"));
    Files.createSymbolicLink(tmp.resolve("data/cdr-bucket"), real);
    Pipeline p = new Pipeline(tmp);
    new CdrGenerator(p.cdr).generate(DAY1, 15, 2, 3, 0, null);
    p.crawler().crawlRaw(p.cdr, ProcessedSchema.SOURCE_CDR, false);
    assertThat(p.etl().runFull(2, false).rowsWritten()).isEqualTo(15);
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs")).isEqualTo(15);
  }
}
