package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every user mistake is one line on stderr and a non-zero exit, never a help page or a stack trace.
 */
class CliMistakesTest {
  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();

  record Run(int code, String out, String err) {
    /** The one line of stderr, checked to be one line without a stack trace. */
    String line() {
      assertThat(err.strip())
          .as("stderr")
          .isNotEmpty()
          .doesNotContain("\n")
          .doesNotContain("\tat ")
          .doesNotContain("Exception");
      return err.strip();
    }
  }

  Run cdr(String... args) {
    CliRun r = CliRun.in(dir, env, args);
    return new Run(r.code(), r.out(), r.err());
  }

  /**
   * Runs the CLI in a new JVM with exactly this environment (plus PATH), as a user's shell would.
   */
  Run child(Map<String, String> environment, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    String path = pb.environment().get("PATH");
    pb.environment().clear();
    pb.environment().put("PATH", path == null ? "/usr/bin:/bin" : path);
    pb.environment().put("HOME", dir.toString());
    pb.environment().putAll(environment);
    pb.redirectOutput(dir.resolve("child.out").toFile())
        .redirectError(dir.resolve("child.err").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(dir.resolve("child.out")),
        Files.readString(dir.resolve("child.err")));
  }

  // ---------------------------------------------------------------- the command line

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "etl --workers abc                  | --workers | 'abc' is not a whole number | cdr etl",
        "etl --workers 99999999999          | --workers | is too large                | cdr etl",
        "etl --date 2026-11-01 --full       | --full    | mutually exclusive          | cdr etl",
        "query --format xml SELECT-1        | --format  | 'xml'                       | cdr query",
        "etl --dat 2026-11-01               | --dat     | did you mean --date?        | cdr etl",
        "generate --calls 5                 | --date    | Missing required            | cdr generate",
        "generate --date 2026-11-01 --calls many | --calls | 'many' is not a whole number | cdr generate",
        "crawl                              | crawl raw | say what to crawl           | cdr crawl",
        "crawl raw --everythin              | --everythin | did you mean --everything? | cdr crawl raw",
        "report --month                     | --month   | Missing required parameter  | cdr report",
        "nosuchcommand                      | nosuchcommand | Unmatched argument      | cdr",
      })
  void aUsageMistakeIsOneLineWithWhereTheHelpIs(
      String args, String named, String reason, String command) {
    Run r = cdr(args.split(" "));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.line())
        .startsWith("error: ")
        .contains(named)
        .contains(reason)
        .endsWith("; see '" + command + " --help'")
        .doesNotContain("Usage:")
        .doesNotContain("Error: ");
  }

  @Test
  void cdrAlonePrintsTheHelpAndIsAUsageMistake() {
    Run r = cdr();
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Usage: cdr").contains("Commands:").contains("etl");
    assertThat(cdr("--help").code()).isZero();
  }

  @Test
  void globalOptionsWorkAfterTheCommandToo() throws Exception {
    Files.writeString(dir.resolve("other.yaml"), "stateDir: other-state\ndatabase: other_db\n");
    Run after =
        cdr(
            "query",
            "--format",
            "csv",
            "--config",
            "other.yaml",
            "SELECT count(*) AS n FROM other_db.processed_cdrs");
    assertThat(after.code()).as(after.err()).isZero();
    assertThat(after.out()).isEqualTo("n\n0\n");
    assertThat(dir.resolve("other-state/catalog.db")).exists();
    Run nested = cdr("crawl", "raw", "-v", "--config", "other.yaml");
    assertThat(nested.err())
        .contains(dir.resolve("data/cdr-bucket").toString()); // the default next to other.yaml
    assertThat(dir.resolve("data/state")).doesNotExist();
    Files.writeString(dir.resolve("bad.yaml"), "dailyWorkers: ten\n");
    Run bad = cdr("catalog", "--config", "bad.yaml");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.line())
        .isEqualTo(
            "config error: bad value for 'dailyWorkers' in "
                + dir.resolve("bad.yaml")
                + ": expected a whole number, got 'ten'");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "etl      | --date  | 2026-11-31 | error: --date: 2026-11-31 does not exist: November 2026 has 30 days",
        "etl      | --date  | 2026-02-29 | error: --date: 2026-02-29 does not exist: February 2026 has 28 days",
        "etl      | --date  | 2026-13-01 | error: --date: 2026-13-01 does not exist: there is no month 13 (01 to 12)",
        "etl      | --date  | 2026-11-00 | error: --date: 2026-11-00 does not exist: November 2026 has 30 days",
        "etl      | --date  | 27.11.2026 | error: --date: invalid date '27.11.2026': expected YYYY-MM-DD, e.g. 2026-11-27",
        "report   | --month | 2026-13    | error: --month: 2026-13 does not exist: there is no month 13 (01 to 12)",
        "report   | --month | 2026-00    | error: --month: 2026-00 does not exist: there is no month 00 (01 to 12)",
        "report   | --month | 2026-1     | error: --month: invalid month '2026-1': expected YYYY-MM, e.g. 2026-10",
      })
  void aDateThatDoesNotExistIsNamed(String command, String option, String value, String message) {
    Run r = cdr(command, option, value);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.line()).isEqualTo(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "start daily --input {\"Date\":\"-2026-11-02\"}   | error: input Date: invalid date '-2026-11-02': expected YYYY-MM-DD, e.g. 2026-11-27",
        "start daily --input {\"Date\":\"+12026-11-02\"}  | error: input Date: invalid date '+12026-11-02': expected YYYY-MM-DD, e.g. 2026-11-27",
        "start daily --input {\"Date\":\"0000-01-01\"}    | error: input Date: 0000-01-01 is out of range: the year must be from 2000 to 2099",
        "start daily --input {\"Date\":\"2100-01-01\"}    | error: input Date: 2100-01-01 is out of range: the year must be from 2000 to 2099",
        "start report --input {\"Month\":\"+12026-10\"}   | error: input Month: invalid month '+12026-10': expected YYYY-MM, e.g. 2026-10",
        "start report --input {\"Month\":\"0000-10\"}     | error: input Month: 0000-10 is out of range: the year must be from 2000 to 2099",
        "start daily --date=-2026-11-02                     | error: --date: invalid date '-2026-11-02': expected YYYY-MM-DD, e.g. 2026-11-27",
        "start daily --date 0000-01-01                      | error: --date: 0000-01-01 is out of range: the year must be from 2000 to 2099",
        "start report --month 1999-12                       | error: --month: 1999-12 is out of range: the year must be from 2000 to 2099",
        "etl --date 0000-01-01                              | error: --date: 0000-01-01 is out of range: the year must be from 2000 to 2099",
        "etl --date=+12026-11-02                            | error: --date: invalid date '+12026-11-02': expected YYYY-MM-DD, e.g. 2026-11-27",
        "report --month 2100-01                             | error: --month: 2100-01 is out of range: the year must be from 2000 to 2099",
        "generate --calls 3 --date 1999-12-31               | error: --date: 1999-12-31 is out of range: the year must be from 2000 to 2099",
        "table drop-day --yes --date 2026-11-31             | error: --date: 2026-11-31 does not exist: November 2026 has 30 days",
      })
  void oneRuleForEveryDateAndMonthRefusesSignedLongAndOutOfRangeYearsRegisteringNothing(
      String args, String message) {
    assertThat(cdr("generate", "--date", "2026-11-02", "--calls", "3").code()).isZero();
    Run r = cdr(args.split(" "));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.line()).isEqualTo(message);
    // nothing ran, nothing was registered
    assertThat(cdr("executions", "list").out()).contains("(no executions)");
    assertThat(cdr("catalog").out()).contains("processed days: 0");
    assertThat(dir.resolve("data/processed/processed_cdrs/data")).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--calls -1                 | error: --calls: -1 is not a number of calls (0 or more)",
        "--calls 5 --connectors 0   | error: --connectors: 0 is not a number of voice connectors (1 or more)",
        "--calls 5 --malformed -2   | error: --malformed: -2 is not a number of files (0 or more)",
      })
  void generateWithBadNumbersNamesTheOption(String args, String message) {
    List<String> all = new ArrayList<>(List.of("generate", "--date", "2026-11-01"));
    all.addAll(List.of(args.split(" ")));
    Run r = cdr(all.toArray(String[]::new));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.line()).isEqualTo(message);
    assertThat(dir.resolve("data/cdr-bucket")).doesNotExist();
  }

  // ---------------------------------------------------------------- etl of a day without data

  @Test
  void etlOfADayWithoutRawFilesWarnsRecordsNothingAndFailsUnlessAllowed() {
    assertThat(cdr("generate", "--date", "2026-11-02", "--calls", "7").code()).isZero();
    Run r = cdr("etl", "--date", "2030-01-01");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.line())
        .startsWith("warning: no raw CDR files for 2030-01-01 in " + dir.resolve("data/cdr-bucket"))
        .contains("nothing recorded")
        .contains("--allow-empty");
    Run allowed = cdr("etl", "--date", "2030-01-01", "--allow-empty");
    assertThat(allowed.code()).isZero();
    assertThat(allowed.line()).startsWith("warning: no raw CDR files for 2030-01-01");
    // nothing recorded: no processed day, no ETL run, no partition folder
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out())
        .isEqualTo("n\n0\n");
    assertThat(cdr("catalog").out()).contains("processed days: 0");
    assertThat(dir.resolve("data/processed/processed_cdrs/year=2030")).doesNotExist();
    // the day that has files is processed as before
    Run day = cdr("etl", "--date", "2026-11-02");
    assertThat(day.code()).as(day.err()).isZero();
    assertThat(day.out()).contains("7 rows written");
    assertThat(cdr("etl", "--full", "--allow-empty").code()).isEqualTo(2);
  }

  @Test
  void aDayFolderWithOnlyHiddenFilesIsEmpty() throws Exception {
    assertThat(cdr("generate", "--date", "2026-11-02", "--calls", "3").code()).isZero();
    Path vc =
        Files.list(dir.resolve("data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json"))
            .findFirst()
            .orElseThrow();
    Path day = Files.createDirectories(vc.resolve("2026/11/03"));
    Files.writeString(day.resolve(".copy-in-progress.tmp"), "{}");
    assertThat(cdr("etl", "--date", "2026-11-03").code()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- config and buckets

  @Test
  void aMissingOrUnreadableConfigIsOneLine() throws Exception {
    Run missing = cdr("--config", "nope.yaml", "catalog");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.line())
        .isEqualTo("config error: config file not found: " + dir.resolve("nope.yaml"));
    env.put("CDR_CONFIG", "from-env.yaml");
    assertThat(cdr("catalog").line())
        .isEqualTo("config error: config file not found: " + dir.resolve("from-env.yaml"));
    env.clear();
    Files.createDirectories(dir.resolve("folder.yaml"));
    assertThat(cdr("catalog", "--config", "folder.yaml").line())
        .isEqualTo(
            "config error: config file " + dir.resolve("folder.yaml") + " is a folder, not a file");
    Files.write(
        dir.resolve("latin1.yaml"), "database: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(cdr("catalog", "--config", "latin1.yaml").line()).endsWith("is not UTF-8 text");
  }

  @Test
  void aBucketThatIsAFileSaysSo() throws Exception {
    Files.writeString(dir.resolve("cdrs.txt"), "not a folder");
    // not ./cdr.yaml, which the generate below would read
    Files.writeString(dir.resolve("file-bucket.yaml"), "cdrBucket: cdrs.txt\n");
    Run config = cdr("--config", "file-bucket.yaml", "etl", "--date", "2026-11-02");
    assertThat(config.code()).isEqualTo(2);
    assertThat(config.line())
        .contains("'cdrBucket'")
        .contains(dir.resolve("cdrs.txt") + " is a file, not a folder");
    Run generate = cdr("generate", "--bucket", "cdrs.txt", "--date", "2026-11-02", "--calls", "1");
    assertThat(generate.code()).isEqualTo(1);
    assertThat(generate.line())
        .isEqualTo("error: " + dir.resolve("cdrs.txt") + ": is a file, not a folder");
    assertThat(Files.readString(dir.resolve("cdrs.txt"))).isEqualTo("not a folder");
  }

  @Test
  void s3WithoutCredentialsIsOneShortLine() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty-aws-file"), "");
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "cdrBucket: s3://cdr-bucket-without-credentials\ns3: {endpoint: 'http://127.0.0.1:9', region: us-east-1}\n");
    // no AWS_* keys, empty config and credential files, no instance metadata lookup
    Run r =
        child(
            Map.of(
                "AWS_CONFIG_FILE",
                empty.toString(),
                "AWS_SHARED_CREDENTIALS_FILE",
                empty.toString(),
                "AWS_EC2_METADATA_DISABLED",
                "true"),
            "--config",
            "cdr.yaml",
            "crawl",
            "raw");
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.line())
        .isEqualTo(
            "error: s3://cdr-bucket-without-credentials: no AWS credentials found: set "
                + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (AWS_PROFILE), or run with an instance role");
    assertThat(r.line().length()).isLessThan(200);
  }

  // ---------------------------------------------------------------- serve

  @Test
  void serveOnABusyPortIsOneLineExitOne() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Run r =
          child(
              Map.of(),
              "serve",
              "--no-schedules",
              "--host",
              "127.0.0.1",
              "--port",
              Integer.toString(busy.getLocalPort()));
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.line())
          .isEqualTo(
              "error: cannot listen on 127.0.0.1:"
                  + busy.getLocalPort()
                  + ": Address already in use (choose another with --port, or server.port in the config)");
    }
  }

  @Test
  void serveOnAHostThatIsNotThisMachineIsOneLineExitOne() {
    // 192.0.2.0/24 is for documentation only (RFC 5737); .invalid never resolves (RFC 6761)
    Run other = cdr("serve", "--no-schedules", "--host", "192.0.2.7", "--port", "0");
    assertThat(other.code()).isEqualTo(1);
    assertThat(other.line())
        .startsWith(
            "error: cannot listen on 192.0.2.7: 192.0.2.7 is not an address of this machine")
        .doesNotContain("in use");
    Run unknown = cdr("serve", "--no-schedules", "--host", "no-such-host.invalid", "--port", "0");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.line())
        .isEqualTo("error: cannot listen on no-such-host.invalid: unknown host");
    Run port = cdr("serve", "--no-schedules", "--port", "70000");
    assertThat(port.code()).isEqualTo(2);
    assertThat(port.line()).isEqualTo("error: --port: 70000 is not a port (0 to 65535)");
  }
}
