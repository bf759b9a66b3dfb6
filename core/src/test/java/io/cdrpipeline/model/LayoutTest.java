package io.cdrpipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The raw (Voice Connector) and processed (Hive) folder layouts. */
class LayoutTest {

  // ---------------------------------------------------------------- RawLayout

  @ParameterizedTest(name = "{0}/{1}/{2} -> {3}")
  @CsvSource({
    "2026, 11, 27, 2026-11-27",
    "2026, 01, 01, 2026-01-01",
    "2024, 02, 29, 2024-02-29",
    "2019, 03, 01, 2019-03-01",
    "2026, 12, 31, 2026-12-31",
  })
  void rawDateOfRealFolders(String year, String month, String day, LocalDate expected) {
    assertThat(RawLayout.date(year, month, day)).contains(expected);
  }

  @ParameterizedTest(name = "{0}/{1}/{2}")
  @CsvSource({
    "2026, 13, 01", // no month 13
    "2026, 00, 01", // no month 0
    "2026, 02, 30", // no February 30
    "2025, 02, 29", // not a leap year
    "2026, 04, 31",
    "2026, 11, 00",
    "2026, 11, 32",
    "abcd, 11, 27",
    "26, 11, 27",
    "02026, 11, 27",
    "2026, 1, 27", // months and days are two digits
    "2026, 11, 7",
    "2026, 11, 027",
    "2026, ab, 27",
    "2026, 11, x1",
    "2026, 11, 27.json",
    "'', 11, 27",
  })
  void rawDateRejectsBadFolders(String year, String month, String day) {
    assertThat(RawLayout.date(year, month, day)).isEmpty();
  }

  @ParameterizedTest(name = "isYear({0}) = {1}")
  @CsvSource({
    "2026, true",
    "1999, true",
    "abcd, false",
    "202, false",
    "20261, false",
    "'', false",
    "'2026 ', false",
    "Amazon-Chime-Voice-Connector-CDRs, false",
  })
  void isYear(String name, boolean expected) {
    assertThat(RawLayout.isYear(name)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "isMonth({0}) = {1}")
  @CsvSource({
    "01, true",
    "09, true",
    "12, true",
    "00, false",
    "13, false",
    "1, false",
    "001, false",
    "ab, false",
    "'', false",
  })
  void isMonth(String name, boolean expected) {
    assertThat(RawLayout.isMonth(name)).isEqualTo(expected);
  }

  @Test
  void rawDayPrefixIsRootConnectorAndZeroPaddedDate() {
    assertThat(RawLayout.dayPrefix("abcdef1ghij2klmno3pqr4", LocalDate.of(2019, 3, 1)))
        .isEqualTo("Amazon-Chime-Voice-Connector-CDRs/json/abcdef1ghij2klmno3pqr4/2019/03/01/");
    assertThat(RawLayout.dayPrefix("vc", LocalDate.of(2026, 11, 27)))
        .isEqualTo("Amazon-Chime-Voice-Connector-CDRs/json/vc/2026/11/27/");
    assertThat(RawLayout.connectorPrefix("vc"))
        .isEqualTo("Amazon-Chime-Voice-Connector-CDRs/json/vc/");
    assertThat(RawLayout.partitionPath("vc", LocalDate.of(2026, 1, 5))).isEqualTo("vc/2026/01/05");
  }

  @Test
  void rawDayPrefixRoundTripsThroughDate() {
    LocalDate day = LocalDate.of(2028, 2, 29);
    String[] parts = RawLayout.dayPrefix("vc", day).split("/");
    int n = parts.length;
    assertThat(RawLayout.date(parts[n - 3], parts[n - 2], parts[n - 1])).contains(day);
  }

  // ---------------------------------------------------------------- ProcessedLayout

  @ParameterizedTest(name = "partValue({0}, {1}) = {2}")
  @CsvSource(
      nullValues = "NONE",
      value = {
        "year=2026, year, 2026",
        "month=11, month, 11",
        "month=07, month, 7",
        "day=01, day, 1",
        "day=27, day, 27",
        "month=11, year, NONE", // another key
        "year=2026, month, NONE",
        "year=abcd, year, NONE",
        "year=, year, NONE",
        "year=20261, year, NONE",
        "year=-1, year, NONE",
        "year = 2026, year, NONE",
        "Year=2026, year, NONE",
        "2026, year, NONE",
        "hour=10, hour, NONE", // not a partition key
        "_year=2026, year, NONE",
      })
  void partValue(String folder, String key, Integer expected) {
    assertThat(ProcessedLayout.partValue(folder, key)).isEqualTo(Optional.ofNullable(expected));
  }

  @Test
  void processedDateOfRealFolders() {
    assertThat(ProcessedLayout.date("year=2026", "month=11", "day=27"))
        .contains(LocalDate.of(2026, 11, 27));
    assertThat(ProcessedLayout.date("year=2024", "month=02", "day=29"))
        .contains(LocalDate.of(2024, 2, 29));
  }

  @ParameterizedTest(name = "{0}/{1}/{2}")
  @CsvSource({
    "year=2026, month=02, day=30",
    "year=2026, month=13, day=01",
    "year=2026, month=00, day=01",
    "year=2026, month=11, day=00",
    "year=2026, month=11, day=32",
    "month=11, year=2026, day=27", // keys in the wrong places
    "year=2026, day=27, month=11",
    "year=abcd, month=11, day=27",
    "2026, 11, 27", // raw layout names are not partitions
    "year=2026, month=11, day=27.parquet",
  })
  void processedDateRejectsBadFolders(String year, String month, String day) {
    assertThat(ProcessedLayout.date(year, month, day)).isEmpty();
  }

  @ParameterizedTest(name = "isDataFile({0}) = {1}")
  @CsvSource({
    "part-00000-run1.parquet, true",
    "anything.parquet, true",
    "_SUCCESS, false",
    "_committed.parquet, false",
    ".part-00000-run1.parquet, false",
    ".part-00000-run1.parquet.crc, false",
    "part-00000-run1.csv, false",
    "part-00000-run1.parquet.tmp, false",
    "part-00000-run1, false",
  })
  void isDataFile(String name, boolean expected) {
    assertThat(ProcessedLayout.isDataFile(name)).isEqualTo(expected);
  }

  @Test
  void processedDayPrefixAndFileKeyAreHiveStyleWithTwoDigitMonthAndDay() {
    LocalDate day = LocalDate.of(2026, 3, 7);
    assertThat(ProcessedLayout.dayPrefix(day))
        .isEqualTo("processed_cdrs/year=2026/month=03/day=07/");
    String key = ProcessedLayout.fileKey(day, "run42", 3);
    assertThat(key).isEqualTo("processed_cdrs/year=2026/month=03/day=07/part-00003-run42.parquet");
    assertThat(ProcessedLayout.isDataFile(key.substring(key.lastIndexOf('/') + 1))).isTrue();
  }

  @Test
  void processedDayPrefixRoundTripsThroughDate() {
    LocalDate day = LocalDate.of(2026, 12, 31);
    String[] parts = ProcessedLayout.dayPrefix(day).split("/");
    assertThat(parts[0]).isEqualTo(ProcessedSchema.TABLE);
    assertThat(ProcessedLayout.date(parts[1], parts[2], parts[3])).contains(day);
  }
}
