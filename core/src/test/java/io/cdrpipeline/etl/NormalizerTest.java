package io.cdrpipeline.etl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.model.CdrField;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ColumnType;
import io.cdrpipeline.model.ProcessedSchema;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The row rules of cdr-format.md, one test per rule. */
class NormalizerTest {
  private static final String KEY =
      "Amazon-Chime-Voice-Connector-CDRs/json/abcdef1ghij2klmno3pqr4/2025/11/27/"
          + "00.05.30.020_123abc4d-efg5-6789-h012-j3456789k012";

  /** 2025-11-27T00:00:00Z, the example's start. */
  private static final long START = 1764201600L;

  private final Normalizer normalizer = new Normalizer();

  // ---------------------------------------------------------------- helpers

  /** The example record of cdr-format.md, field name to raw JSON value text, in order. */
  private static LinkedHashMap<String, String> example() {
    LinkedHashMap<String, String> f = new LinkedHashMap<>();
    f.put("AwsAccountId", "\"123456789012\"");
    f.put("TransactionId", "\"4b5c-tx\"");
    f.put("CallId", "\"9f2e-call\"");
    f.put("VoiceConnectorId", "\"abcdef1ghij2klmno3pqr4\"");
    f.put("Status", "\"Completed\"");
    f.put("StatusMessage", "\"Normal Call Clearing\"");
    f.put("BillableDurationSeconds", "330");
    f.put("BillableDurationMinutes", "5.5");
    f.put("SchemaVersion", "\"2.0\"");
    f.put("SourcePhoneNumber", "\"+12065550100\"");
    f.put("SourceCountry", "\"US\"");
    f.put("DestinationPhoneNumber", "\"+15035550123\"");
    f.put("DestinationCountry", "\"US\"");
    f.put("UsageType", "\"USE1-US-outbound-minutes\"");
    f.put("ServiceCode", "\"AmazonChimeVoiceConnector\"");
    f.put("Direction", "\"Outbound\"");
    f.put("StartTimeEpochSeconds", "1764201600");
    f.put("EndTimeEpochSeconds", "1764201930");
    f.put("Region", "\"us-east-1\"");
    f.put("Streaming", "true");
    f.put("IsProxyCall", "false");
    return f;
  }

  private static String json(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> "\"" + e.getKey() + "\":" + e.getValue())
        .collect(Collectors.joining(",", "{", "}"));
  }

  /** The example with one field set to a raw JSON value (added if absent). */
  private static String exampleWith(String field, String rawValue) {
    LinkedHashMap<String, String> f = example();
    f.put(field, rawValue);
    return json(f);
  }

  /** The example without some fields. */
  private static String exampleWithout(String... fields) {
    LinkedHashMap<String, String> f = example();
    for (String name : fields) {
      assertThat(f.remove(name)).as("test setup: %s is in the example", name).isNotNull();
    }
    return json(f);
  }

  private NormalizedRecord normalize(String content) {
    return normalizer.normalize(content.getBytes(UTF_8), KEY);
  }

  private ProcessedRow row(String content) {
    NormalizedRecord r = normalize(content);
    assertThat(r).as("record of %s", content).isInstanceOf(ProcessedRow.class);
    return (ProcessedRow) r;
  }

  private Rejection rejection(byte[] content) {
    NormalizedRecord r = normalizer.normalize(content, KEY);
    assertThat(r).as("record of %s", new String(content, UTF_8)).isInstanceOf(Rejection.class);
    Rejection rej = (Rejection) r;
    assertThat(rej.sourceKey()).isEqualTo(KEY);
    assertThat(rej.reason()).isNotBlank().doesNotContain("\n");
    return rej;
  }

  private Rejection rejection(String content) {
    return rejection(content.getBytes(UTF_8));
  }

  private static Class<?> javaType(ColumnType type) {
    switch (type) {
      case VARCHAR:
        return String.class;
      case BIGINT:
      case TIMESTAMP:
        return Long.class;
      case DOUBLE:
        return Double.class;
      case BOOLEAN:
        return Boolean.class;
      default:
        throw new AssertionError("no processed column has type " + type);
    }
  }

  // ---------------------------------------------------------------- the example record

  @Test
  void exampleRecordMapsToEveryLowercaseColumnWithItsJavaType() {
    ProcessedRow row = row(json(example()));

    Map<String, Object> expected = new HashMap<>();
    expected.put("awsaccountid", "123456789012");
    expected.put("transactionid", "4b5c-tx");
    expected.put("callid", "9f2e-call");
    expected.put("voiceconnectorid", "abcdef1ghij2klmno3pqr4");
    expected.put("status", "Completed");
    expected.put("statusmessage", "Normal Call Clearing");
    expected.put("billabledurationseconds", 330L);
    expected.put("billabledurationminutes", 5.5d);
    expected.put("schemaversion", "2.0");
    expected.put("sourcephonenumber", "+12065550100");
    expected.put("sourcephonenumbername", null);
    expected.put("sourcecountry", "US");
    expected.put("destinationphonenumber", "+15035550123");
    expected.put("destinationphonenumbername", null);
    expected.put("destinationcountry", "US");
    expected.put("usagetype", "USE1-US-outbound-minutes");
    expected.put("servicecode", "AmazonChimeVoiceConnector");
    expected.put("direction", "Outbound");
    expected.put("starttimeepochseconds", 1764201600L);
    expected.put("endtimeepochseconds", 1764201930L);
    expected.put("region", "us-east-1");
    expected.put("streaming", true);
    expected.put("isproxycall", false);
    expected.put("sipauthuser", null);
    expected.put("duration", 330L);
    expected.put("npanxx", "503555");
    expected.put("hour", "00");
    expected.put("start_time", 1764201600L);
    expected.put("end_time", 1764201930L);
    expected.put("source_key", KEY);

    assertThat(ProcessedSchema.COLUMNS)
        .extracting(Column::name)
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    assertThat(row.values()).hasSize(ProcessedSchema.COLUMNS.size());
    for (int i = 0; i < ProcessedSchema.COLUMNS.size(); i++) {
      Column c = ProcessedSchema.COLUMNS.get(i);
      assertThat(c.name()).as("column names are lower case").isEqualTo(c.name().toLowerCase());
      Object value = row.get(i);
      assertThat(value).as("column %s", c.name()).isEqualTo(expected.get(c.name()));
      assertThat(row.get(c.name()))
          .as("column %s by name", c.name())
          .isEqualTo(expected.get(c.name()));
      if (value != null) {
        assertThat(value)
            .as("Java type of %s (%s)", c.name(), c.type())
            .isExactlyInstanceOf(javaType(c.type()));
      }
    }
    assertThat(row.extras()).isEmpty();
  }

  @Test
  void knownFieldColumnIndexIsItsOrdinal() {
    ProcessedRow row = row(json(example()));
    assertThat(row.get(CdrField.CALL_ID)).isEqualTo("9f2e-call");
    assertThat(row.get(CdrField.BILLABLE_DURATION_MINUTES)).isEqualTo(5.5d);
    assertThat(ProcessedSchema.COLUMNS.get(CdrField.CALL_ID.ordinal()).name()).isEqualTo("callid");
  }

  // ---------------------------------------------------------------- NULLs

  @ParameterizedTest(name = "missing {0} -> NULL")
  @ValueSource(
      strings = {
        "BillableDurationMinutes",
        "Streaming",
        "IsProxyCall",
        "EndTimeEpochSeconds",
        "Status",
        "DestinationPhoneNumber",
        "Region"
      })
  void missingOptionalFieldIsNull(String field) {
    ProcessedRow row = row(exampleWithout(field));
    assertThat(row.get(field.toLowerCase())).isNull();
    assertThat(row.get("callid")).isEqualTo("9f2e-call");
  }

  @Test
  void olderSchemaWithoutMinutesStreamingProxyAndNamesIsNullThere() {
    ProcessedRow row = row(exampleWithout("BillableDurationMinutes", "Streaming", "IsProxyCall"));
    assertThat(row.get(CdrField.BILLABLE_DURATION_MINUTES)).isNull();
    assertThat(row.get(CdrField.STREAMING)).isNull();
    assertThat(row.get(CdrField.IS_PROXY_CALL)).isNull();
    assertThat(row.get(CdrField.SOURCE_PHONE_NUMBER_NAME)).isNull();
    assertThat(row.get(CdrField.DESTINATION_PHONE_NUMBER_NAME)).isNull();
    assertThat(row.get(CdrField.SIP_AUTH_USER)).isNull();
    assertThat(row.get(CdrField.BILLABLE_DURATION_SECONDS)).isEqualTo(330L);
  }

  static Stream<String> optionalFields() {
    return Stream.of(CdrField.values()).filter(f -> !f.required()).map(CdrField::jsonName);
  }

  @ParameterizedTest(name = "{0}: null -> NULL")
  @MethodSource("optionalFields")
  void jsonNullForOptionalFieldIsNull(String field) {
    ProcessedRow row = row(exampleWith(field, "null"));
    assertThat(row.get(CdrField.byName(field))).isNull();
    assertThat(row.get(CdrField.CALL_ID)).isEqualTo("9f2e-call");
  }

  // ---------------------------------------------------------------- duration

  @Test
  void durationIsEndMinusStart() {
    ProcessedRow row = row(exampleWith("EndTimeEpochSeconds", "1764205200"));
    assertThat(row.get("duration")).isEqualTo(3600L);
    assertThat(row.get("end_time")).isEqualTo(1764205200L);
  }

  @Test
  void durationIsNullWhenEndIsMissing() {
    ProcessedRow row = row(exampleWithout("EndTimeEpochSeconds"));
    assertThat(row.get("duration")).isNull();
    assertThat(row.get("end_time")).isNull();
    assertThat(row.get("start_time")).isEqualTo(START);
  }

  @Test
  void durationIsNullWhenEndIsJsonNull() {
    ProcessedRow row = row(exampleWith("EndTimeEpochSeconds", "null"));
    assertThat(row.get("duration")).isNull();
  }

  // ---------------------------------------------------------------- npanxx

  @ParameterizedTest(name = "DestinationPhoneNumber {0} -> npanxx {1}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        "'\"+15035550123\"', 503555",
        "'\"15035550123\"', 503555",
        "'\"+12065550100\"', 206555",
        "'\"+442071234567\"', NULL", // international
        "'\"+25035550123\"', NULL", // 11 digits, not starting with 1
        "'\"5035550123\"', NULL", // 10 digits
        "'\"+150355501234\"', NULL", // 12 digits
        "'\"1503555012\"', NULL", // 10 digits starting with 1
        "'\"+1503555ABCD\"', NULL", // letters
        "'\"+1-503-555-01\"', NULL", // 11 chars after +, not all digits
        "'\"\"', NULL",
        "'null', NULL",
      })
  void npanxxFromDestinationNumber(String rawDestination, String expected) {
    ProcessedRow row = row(exampleWith("DestinationPhoneNumber", rawDestination));
    assertThat(row.get("npanxx")).isEqualTo(expected);
  }

  @Test
  void npanxxIsNullWhenDestinationIsMissing() {
    assertThat(row(exampleWithout("DestinationPhoneNumber")).get("npanxx")).isNull();
  }

  @ParameterizedTest(name = "Direction {0}")
  @ValueSource(strings = {"Inbound", "Outbound"})
  void npanxxUsesTheDestinationWhateverTheDirection(String direction) {
    LinkedHashMap<String, String> f = example();
    f.put("Direction", "\"" + direction + "\"");
    f.put("SourcePhoneNumber", "\"+12065550100\"");
    f.put("DestinationPhoneNumber", "\"+13605551214\"");
    assertThat(row(json(f)).get("npanxx")).isEqualTo("360555");
  }

  // ---------------------------------------------------------------- hour

  @ParameterizedTest(name = "start {0} -> hour {1}")
  @CsvSource({
    "1764201600, 00", // 2025-11-27T00:00:00Z
    "1764287999, 23", // 2025-11-27T23:59:59Z
    "1764288000, 00", // 2025-11-28T00:00:00Z
    "1764250200, 13", // 2025-11-27T13:30:00Z
    "0, 00",
    "3599, 00",
    "3600, 01",
    "86399, 23",
    "-1, 23", // 1969-12-31T23:59:59Z
    "-3600, 23",
    "-3601, 22",
    "-18000, 19", // 1969-12-31T19:00:00Z
    "-62135596800, 00", // 0001-01-01T00:00:00Z, the smallest accepted
    "253402300799, 23", // 9999-12-31T23:59:59Z, the largest accepted
  })
  void hourIsTheUtcHourOfTheStart(long start, String expected) {
    LinkedHashMap<String, String> f = example();
    f.put("StartTimeEpochSeconds", Long.toString(start));
    f.remove("EndTimeEpochSeconds");
    ProcessedRow row = row(json(f));
    assertThat(row.get("hour")).isEqualTo(expected);
    // the expectation agrees with java.time
    assertThat(String.format("%02d", Instant.ofEpochSecond(start).atZone(ZoneOffset.UTC).getHour()))
        .isEqualTo(expected);
    assertThat(row.get("start_time")).isEqualTo(start);
  }

  // ---------------------------------------------------------------- coercions

  @ParameterizedTest(name = "{0}:{1} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "BillableDurationSeconds | \"24\"         | billabledurationseconds | 24",
        "BillableDurationSeconds | \" 24 \"       | billabledurationseconds | 24",
        "BillableDurationSeconds | \"24.0\"       | billabledurationseconds | 24",
        "BillableDurationSeconds | 330.0          | billabledurationseconds | 330",
        "BillableDurationSeconds | 3.3e2          | billabledurationseconds | 330",
        "BillableDurationSeconds | 0              | billabledurationseconds | 0",
        "EndTimeEpochSeconds     | 1764201930.0   | endtimeepochseconds     | 1764201930",
        "EndTimeEpochSeconds     | \"1764201930\" | endtimeepochseconds     | 1764201930",
        "StartTimeEpochSeconds   | \"1764201600\" | starttimeepochseconds   | 1764201600",
      })
  void wholeNumbersWrittenAsStringsOrIntegralFloatsBecomeLongs(
      String field, String raw, String column, long expected) {
    ProcessedRow row = row(exampleWith(field, raw));
    assertThat(row.get(column)).isExactlyInstanceOf(Long.class).isEqualTo(expected);
  }

  @Test
  void integralFloatForStartStillGivesDurationAndHour() {
    ProcessedRow row = row(exampleWith("StartTimeEpochSeconds", "1764201600.0"));
    assertThat(row.get("start_time")).isEqualTo(START);
    assertThat(row.get("duration")).isEqualTo(330L);
    assertThat(row.get("hour")).isEqualTo("00");
  }

  @ParameterizedTest(name = "BillableDurationMinutes:{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\".4\"   | 0.4",
        "\"5.5\"  | 5.5",
        "\"24\"   | 24.0",
        "\"1e1\"  | 10.0",
        "\"-0.5\" | -0.5",
        "5        | 5.0",
        "0.4      | 0.4",
      })
  void decimalsWrittenAsStringsOrIntegersBecomeDoubles(String raw, double expected) {
    ProcessedRow row = row(exampleWith("BillableDurationMinutes", raw));
    assertThat(row.get("billabledurationminutes"))
        .isExactlyInstanceOf(Double.class)
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}:{1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Streaming   | \"true\"  | true",
        "Streaming   | \"false\" | false",
        "Streaming   | \"TRUE\"  | true",
        "IsProxyCall | \"true\"  | true",
        "IsProxyCall | \"false\" | false",
        "IsProxyCall | true      | true",
        "Streaming   | false     | false",
      })
  void booleansWrittenAsStringsAreAccepted(String field, String raw, boolean expected) {
    ProcessedRow row = row(exampleWith(field, raw));
    assertThat(row.get(field.toLowerCase())).isExactlyInstanceOf(Boolean.class).isEqualTo(expected);
  }

  @Test
  void numberForATextFieldIsKeptAsItsText() {
    ProcessedRow row = row(exampleWith("AwsAccountId", "123456789012"));
    assertThat(row.get("awsaccountid")).isEqualTo("123456789012");
  }

  // ---------------------------------------------------------------- rejections

  static Stream<Arguments> rejections() {
    String example = json(example());
    return Stream.of(
        Arguments.of("empty file", "", "empty file"),
        Arguments.of("whitespace only", "  \n\t\r\n ", "whitespace"),
        Arguments.of("not JSON", "this is not json", "not valid JSON"),
        Arguments.of(
            "truncated JSON", example.substring(0, example.length() / 2), "not valid JSON"),
        Arguments.of("truncated after a field name", "{\"CallId\":", "not valid JSON"),
        Arguments.of("JSON array", "[" + example + "]", "array"),
        Arguments.of("JSON string", "\"" + "CallId" + "\"", "a string"),
        Arguments.of("JSON number", "1764201600", "a number"),
        Arguments.of("JSON null", "null", "not a JSON object"),
        Arguments.of("missing CallId", exampleWithout("CallId"), "CallId"),
        Arguments.of("null CallId", exampleWith("CallId", "null"), "CallId"),
        Arguments.of("blank CallId", exampleWith("CallId", "\"   \""), "CallId"),
        Arguments.of("empty CallId", exampleWith("CallId", "\"\""), "CallId"),
        Arguments.of(
            "missing StartTimeEpochSeconds",
            exampleWithout("StartTimeEpochSeconds"),
            "StartTimeEpochSeconds"),
        Arguments.of(
            "null StartTimeEpochSeconds",
            exampleWith("StartTimeEpochSeconds", "null"),
            "StartTimeEpochSeconds"),
        Arguments.of(
            "start is a word",
            exampleWith("StartTimeEpochSeconds", "\"yesterday\""),
            "StartTimeEpochSeconds"),
        Arguments.of(
            "start is an empty string",
            exampleWith("StartTimeEpochSeconds", "\"\""),
            "StartTimeEpochSeconds"),
        Arguments.of(
            "start has a fraction",
            exampleWith("StartTimeEpochSeconds", "1764201600.5"),
            "StartTimeEpochSeconds"),
        Arguments.of(
            "start out of range",
            exampleWith("StartTimeEpochSeconds", "1e15"),
            "StartTimeEpochSeconds"),
        Arguments.of(
            "start below year 1",
            exampleWith("StartTimeEpochSeconds", "-62135596801"),
            "StartTimeEpochSeconds"),
        Arguments.of(
            "start beyond a long",
            exampleWith("StartTimeEpochSeconds", "99999999999999999999"),
            "StartTimeEpochSeconds"),
        Arguments.of(
            "end out of range", exampleWith("EndTimeEpochSeconds", "1e15"), "EndTimeEpochSeconds"),
        Arguments.of(
            "end is a word",
            exampleWith("EndTimeEpochSeconds", "\"later\""),
            "EndTimeEpochSeconds"),
        Arguments.of(
            "billable seconds with a fraction",
            exampleWith("BillableDurationSeconds", "24.5"),
            "BillableDurationSeconds"),
        Arguments.of(
            "billable seconds string with a fraction",
            exampleWith("BillableDurationSeconds", "\"24.5\""),
            "BillableDurationSeconds"),
        Arguments.of(
            "billable seconds a boolean",
            exampleWith("BillableDurationSeconds", "true"),
            "BillableDurationSeconds"),
        Arguments.of(
            "billable minutes a word",
            exampleWith("BillableDurationMinutes", "\"five\""),
            "BillableDurationMinutes"),
        Arguments.of("Streaming yes", exampleWith("Streaming", "\"yes\""), "Streaming"),
        Arguments.of("IsProxyCall a number", exampleWith("IsProxyCall", "1"), "IsProxyCall"),
        Arguments.of(
            "object for a string", exampleWith("Status", "{\"code\":\"Completed\"}"), "Status"),
        Arguments.of("array for a string", exampleWith("Region", "[\"us-east-1\"]"), "Region"),
        Arguments.of("boolean for a string", exampleWith("CallId", "true"), "CallId"),
        Arguments.of(
            "object for a number",
            exampleWith("BillableDurationSeconds", "{}"),
            "BillableDurationSeconds"),
        Arguments.of("another object after the object", example + "\n{}", "content after"),
        Arguments.of("garbage after the object", example + " trailing", "not valid JSON"),
        Arguments.of("a second record after the object", example + example, "content after"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejections")
  void rejectsWithAReasonNamingTheProblem(String description, String content, String reasonPart) {
    Rejection r = rejection(content);
    assertThat(r.reason()).contains(reasonPart);
  }

  @Test
  void wrongTypeReasonQuotesTheBadValue() {
    Rejection r = rejection(exampleWith("StartTimeEpochSeconds", "\"yesterday\""));
    assertThat(r.reason())
        .isEqualTo("StartTimeEpochSeconds: expected a whole number, got \"yesterday\"");
  }

  @Test
  void emptyFileAndWhitespaceOnlyFileAreTold() {
    assertThat(rejection(new byte[0]).reason()).isEqualTo("empty file");
    assertThat(rejection(" \n ").reason()).isEqualTo("empty file (whitespace only)");
  }

  @Test
  void topLevelArrayReasonSaysWhatTheFileHolds() {
    assertThat(rejection("[]").reason()).isEqualTo("not a JSON object: the file holds an array");
  }

  // ---------------------------------------------------------------- unknown fields

  @Test
  void unknownFieldsBecomeTypedExtras() {
    LinkedHashMap<String, String> f = example();
    f.put("NewCount", "7");
    f.put("NewRate", "0.25");
    f.put("NewFlag", "true");
    f.put("NewLabel", "\"gold\"");
    f.put("NewObject", "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}");
    f.put("NewArray", "[1, \"two\", false]");
    ProcessedRow row = row(json(f));

    assertThat(row.extras())
        .containsOnlyKeys("newcount", "newrate", "newflag", "newlabel", "newobject", "newarray");
    assertThat(row.extras().get("newcount")).isExactlyInstanceOf(Long.class).isEqualTo(7L);
    assertThat(row.extras().get("newrate")).isExactlyInstanceOf(Double.class).isEqualTo(0.25d);
    assertThat(row.extras().get("newflag")).isExactlyInstanceOf(Boolean.class).isEqualTo(true);
    assertThat(row.extras().get("newlabel")).isExactlyInstanceOf(String.class).isEqualTo("gold");
    assertThat(row.extras().get("newobject"))
        .isEqualTo(new ProcessedRow.JsonText("{\"a\":[1,{\"b\":null}],\"c\":\"d\"}"));
    assertThat(row.extras().get("newarray"))
        .isEqualTo(new ProcessedRow.JsonText("[1,\"two\",false]"));
    assertThat(row.get("newlabel")).isEqualTo("gold");

    assertThat(Normalizer.typeOf(row.extras().get("newcount"))).isEqualTo(ColumnType.BIGINT);
    assertThat(Normalizer.typeOf(row.extras().get("newrate"))).isEqualTo(ColumnType.DOUBLE);
    assertThat(Normalizer.typeOf(row.extras().get("newflag"))).isEqualTo(ColumnType.BOOLEAN);
    assertThat(Normalizer.typeOf(row.extras().get("newlabel"))).isEqualTo(ColumnType.VARCHAR);
    assertThat(Normalizer.typeOf(row.extras().get("newobject"))).isEqualTo(ColumnType.VARCHAR);
    // the known columns are untouched
    assertThat(row.get("callid")).isEqualTo("9f2e-call");
    assertThat(row.get("duration")).isEqualTo(330L);
  }

  @Test
  void extraKeyIsTheExtraColumnNameOfTheField() {
    ProcessedRow row = row(exampleWith("Media-Region 2", "\"eu\""));
    assertThat(ProcessedSchema.extraColumnName("Media-Region 2")).isEqualTo("media_region_2");
    assertThat(row.extras())
        .containsOnlyKeys("media_region_2")
        .containsEntry("media_region_2", "eu");
  }

  @ParameterizedTest(name = "unknown field {0} -> extra {1}")
  @CsvSource({
    "Duration, field_duration",
    "Year, field_year",
    "Month, field_month",
    "Day, field_day",
    "Hour, field_hour",
    "NpaNxx, field_npanxx",
    "Source_Key, field_source_key",
    "Start_Time, field_start_time",
    "End_Time, field_end_time",
  })
  void unknownFieldNamedLikeADerivedOrPartitionColumnDoesNotClobberIt(String field, String extra) {
    ProcessedRow row = row(exampleWith(field, "999"));
    assertThat(ProcessedSchema.extraColumnName(field)).isEqualTo(extra);
    assertThat(row.extras()).containsOnlyKeys(extra).containsEntry(extra, 999L);
    assertThat(row.get("duration")).isEqualTo(330L);
    assertThat(row.get("npanxx")).isEqualTo("503555");
    assertThat(row.get("hour")).isEqualTo("00");
    assertThat(row.get("start_time")).isEqualTo(START);
    assertThat(row.get("end_time")).isEqualTo(1764201930L);
    assertThat(row.get("source_key")).isEqualTo(KEY);
  }

  @Test
  void unknownFieldsWithCollidingColumnNamesAreBothKept() {
    LinkedHashMap<String, String> f = example();
    f.put("Foo-Bar", "\"first\"");
    f.put("foo_bar", "\"second\"");
    ProcessedRow row = row(json(f));
    assertThat(row.extras()).hasSize(2);
    assertThat(row.extras().values()).containsExactlyInAnyOrder("first", "second");
  }

  // ---------------------------------------------------------------- names, text, bytes

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"callid", "CALLID", "callId", "CallID"})
  void fieldNamesAreMatchedCaseInsensitively(String callIdName) {
    LinkedHashMap<String, String> f = example();
    f.remove("CallId");
    f.remove("StartTimeEpochSeconds");
    f.remove("DestinationPhoneNumber");
    f.remove("BillableDurationSeconds");
    f.put(callIdName, "\"lower-call\"");
    f.put("starttimeepochseconds", "1764201600");
    f.put("DESTINATIONPHONENUMBER", "\"15035550123\"");
    f.put("billableDurationSeconds", "\"42\"");
    ProcessedRow row = row(json(f));
    assertThat(row.get("callid")).isEqualTo("lower-call");
    assertThat(row.get("start_time")).isEqualTo(START);
    assertThat(row.get("npanxx")).isEqualTo("503555");
    assertThat(row.get("billabledurationseconds")).isEqualTo(42L);
    assertThat(row.extras()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"田中 太郎", "📞 Zoë Café", "Ñandú 😀👍🏽", "\u0645\u062d\u0645\u062f"})
  void unicodeNamesSurvive(String name) {
    LinkedHashMap<String, String> f = example();
    f.put("SourcePhoneNumberName", "\"" + name + "\"");
    f.put("DestinationPhoneNumberName", "\"" + name + " (2)\"");
    ProcessedRow row = row(json(f));
    assertThat(row.get("sourcephonenumbername")).isEqualTo(name);
    assertThat(row.get("destinationphonenumbername")).isEqualTo(name + " (2)");
  }

  @Test
  void escapedUnicodeIsDecoded() {
    ProcessedRow row =
        row(exampleWith("SourcePhoneNumberName", "\"\\u7530\\u4e2d \\ud83d\\udcde\""));
    assertThat(row.get("sourcephonenumbername")).isEqualTo("田中 📞");
  }

  @Test
  void utf8ByteOrderMarkAtTheStartIsAccepted() {
    byte[] body = json(example()).getBytes(UTF_8);
    byte[] content = new byte[body.length + 3];
    content[0] = (byte) 0xEF;
    content[1] = (byte) 0xBB;
    content[2] = (byte) 0xBF;
    System.arraycopy(body, 0, content, 3, body.length);
    NormalizedRecord r = normalizer.normalize(content, KEY);
    assertThat(r).isInstanceOf(ProcessedRow.class);
    assertThat(((ProcessedRow) r).get("awsaccountid")).isEqualTo("123456789012");
    assertThat(((ProcessedRow) r).get("callid")).isEqualTo("9f2e-call");
  }

  @Test
  void sourceKeyIsTheKeyGiven() {
    String key = "Amazon-Chime-Voice-Connector-CDRs/json/vc9/2026/11/27/17.10.00.020-odd name.json";
    NormalizedRecord r = normalizer.normalize(json(example()).getBytes(UTF_8), key);
    assertThat(((ProcessedRow) r).get("source_key")).isEqualTo(key);
    assertThat(((ProcessedRow) r).get(ProcessedSchema.SOURCE_KEY)).isEqualTo(key);
    NormalizedRecord bad = normalizer.normalize(new byte[0], key);
    assertThat(((Rejection) bad).sourceKey()).isEqualTo(key);
  }

  @Test
  void prettyPrintedRecordWithSurroundingWhitespaceIsAccepted() {
    String pretty = "\n  " + json(example()).replace(",", ",\n    ") + "\n\n";
    assertThat(row(pretty).get("callid")).isEqualTo("9f2e-call");
  }

  // ---------------------------------------------------------------- hostile names and sizes

  @ParameterizedTest(name = "field {0} -> column {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a\\\"b|a_b",
        "''|field",
        "dotted.name|dotted_name",
        "slash/name|slash_name",
        "Größe|gr__e",
        "1st|f_1st",
        "voice_connector|field_voice_connector",
        "_extras|field__extras",
        "_source|field__source",
        "_values|field__values",
      })
  void anyFieldNameBecomesAColumnNameTheTablesCanHave(String field, String column) {
    String name = field.replace("\\\"", "\"");
    String escaped = name.replace("\"", "\\\"");
    ProcessedRow row = row(exampleWith(escaped, "7"));
    assertThat(row.extras()).containsOnlyKeys(column).containsEntry(column, 7L);
    assertThat(ProcessedSchema.isFieldColumnName(column)).isTrue();
    assertThat(ProcessedSchema.isFieldColumnName(name)).isEqualTo(name.equals(column));
  }

  @Test
  void aLongFieldNameIsCutToAColumnNameOf128Characters() {
    String name = "Long" + "x".repeat(250);
    ProcessedRow row = row(exampleWith(name, "1"));
    String column = "long" + "x".repeat(124);
    assertThat(row.extras()).containsOnlyKeys(column);
    assertThat(column).hasSize(128);
  }

  @Test
  void aFieldNameLongerThan255CharactersIsRejected() {
    assertThat(rejection(exampleWith("n".repeat(256), "1")).reason())
        .isEqualTo("field name too long: 256 characters (the limit is 255)");
    assertThat(row(exampleWith("n".repeat(255), "1")).extras()).hasSize(1);
  }

  @Test
  void aFieldNameWithANulCharacterIsRejectedAndTheReasonIsPrintable() {
    Rejection r = rejection(exampleWith("a\\u0000b", "1"));
    assertThat(r.reason())
        .startsWith("field name contains a NUL character")
        .doesNotContain("\u0000")
        .contains("a\\u0000b");
  }

  @Test
  void controlCharactersInAReasonAreEscaped() {
    Rejection r = rejection(exampleWith("StartTimeEpochSeconds", "\"\\u0000yesterday\\n\""));
    assertThat(r.reason())
        .isEqualTo(
            "StartTimeEpochSeconds: expected a whole number, got \"\\u0000yesterday\\u000a\"");
  }

  @ParameterizedTest(name = "{0} then {1}")
  @CsvSource({
    "CallId, callid",
    "CallId, CallId",
    "starttimeepochseconds, StartTimeEpochSeconds",
  })
  void aKnownFieldGivenTwiceInAnySpellingIsRejected(String first, String second) {
    LinkedHashMap<String, String> f = example();
    f.remove("CallId");
    f.remove("StartTimeEpochSeconds");
    String value = first.equalsIgnoreCase("CallId") ? "\"a\"" : "1764201600";
    String json =
        json(f)
            .replaceFirst(
                "\\{", "{\"" + first + "\":" + value + ",\"" + second + "\":" + value + ",");
    String canonical = CdrField.byName(first).jsonName();
    assertThat(rejection(json).reason())
        .startsWith("field " + canonical + " appears more than once");
  }

  @Test
  void anUnknownFieldGivenTwiceIsRejectedButTwoSpellingsAreBothKept() {
    String twice = json(example()).replaceFirst("\\{", "{\"Foo\":1,\"Foo\":2,");
    assertThat(rejection(twice).reason()).isEqualTo("field \"Foo\" appears more than once");
    ProcessedRow row = row(json(example()).replaceFirst("\\{", "{\"Foo\":1,\"foo\":2,"));
    assertThat(row.extras()).containsEntry("foo", 1L).containsEntry("foo_2", 2L).hasSize(2);
  }

  @Test
  void aFileOfMoreThanOneMebibyteIsRejectedWithItsSize() {
    String big = exampleWith("Notes", "\"" + "x".repeat(1 << 20) + "\"");
    Rejection r = rejection(big);
    assertThat(r.reason())
        .isEqualTo(
            String.format(
                "file too large: %,d bytes (the limit is 1,048,576)", big.getBytes(UTF_8).length));
    String fits = exampleWith("Notes", "\"" + "x".repeat((1 << 20) - 1000) + "\"");
    assertThat(row(fits).extras().get("notes")).asString().hasSize((1 << 20) - 1000);
  }

  @Test
  void moreThan100UnknownFieldsAreRejectedAnd100AreKept() {
    LinkedHashMap<String, String> f = example();
    for (int i = 0; i < 100; i++) {
      f.put("f" + i, String.valueOf(i));
    }
    assertThat(row(json(f)).extras()).hasSize(100);
    f.put("oneMore", "1");
    assertThat(rejection(json(f)).reason())
        .isEqualTo("too many unknown fields: more than 100 (the limit per file)");
  }

  @Test
  void fiveThousandFieldsAreRejected() {
    StringBuilder b = new StringBuilder("{\"CallId\":\"q1\",\"StartTimeEpochSeconds\":1795219200");
    for (int i = 0; i < 5000; i++) {
      b.append(",\"f").append(i).append("\":").append(i);
    }
    assertThat(rejection(b.append('}').toString()).reason()).startsWith("too many unknown fields");
  }
}
