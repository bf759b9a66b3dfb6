package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.app.lifecycle.ScheduleAnswer;
import io.cdrpipeline.app.lifecycle.ServerQuestions;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.config.ConfigLoader;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.schedule.ScheduleExpression;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.testing.S3Server;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdr configure}: the questions through JLine's own terminal over scripted input (the prompt
 * library's harness), invalid answers included; the options for scripts; the file loaded back with
 * the config loader.
 */
class ConfigureCliTest {
  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();

  record Run(int code, String out, String err, String screen) {}

  /** The command with {@code answers} typed at its terminal, one per line. */
  Run typed(List<String> answers, String... args) throws Exception {
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    byte[] typed = (String.join("\n", answers) + "\n").getBytes(StandardCharsets.UTF_8);
    // the answers reach the terminal only once its echo is off: it reads its input from the
    // start, and would otherwise echo the scripted answers, a secret included, all at once
    PipedOutputStream keyboard = new PipedOutputStream();
    PipedInputStream input = new PipedInputStream(keyboard, typed.length + 1);
    try (Terminal t =
        TerminalBuilder.builder()
            .system(false)
            .streams(input, screen)
            .type(Terminal.TYPE_DUMB)
            .encoding(StandardCharsets.UTF_8)
            .build()) {
      // the line reader shows what is typed (a secret as '*')
      Attributes a = t.getAttributes();
      a.setLocalFlag(Attributes.LocalFlag.ECHO, false);
      t.setAttributes(a);
      keyboard.write(typed);
      keyboard.close();
      return run(t, screen, args);
    }
  }

  Run cdr(String... args) throws Exception {
    return run(null, null, args);
  }

  private Run run(Terminal t, ByteArrayOutputStream screen, String... args) throws Exception {
    CliRun r = CliRun.in(dir, env, t, args);
    if (t != null) {
      t.flush();
    }
    return new Run(
        r.code(), r.out(), r.err(), screen == null ? "" : screen.toString(StandardCharsets.UTF_8));
  }

  Path bucket(String name) throws Exception {
    Path b = dir.resolve(name);
    assertThat(
            cdr("generate", "--bucket", b.toString(), "--date", "2026-11-01", "--calls", "5")
                .code())
        .isZero();
    return b;
  }

  @Test
  void everyQuestionAskedAgainUntilValidThenTheFileLoadsWithTheAnswers() throws Exception {
    Path cdrs = bucket("cdrs");
    Path old = bucket("old");
    Files.createDirectories(dir.resolve("empty"));
    Run r =
        typed(
            List.of(
                "nowhere", // 1. CDR bucket: does not exist
                "cdrs", //    ok
                "ten",
                "0",
                "251",
                "12", // 2. daily workers: not a number, below, above, then valid
                "", // 3. full workers: the default 100
                "maybe",
                "y", // 4. additional bucket? not y/n, then yes
                "cdrs", //    the CDR bucket itself: refused
                "empty", //    reachable, no CDRs: a warning, accepted
                "n", // 5. full ETL at launch
                "cdrs/processed", // 6. inside the CDR bucket: refused
                "table", //    ok
                "", // 7. reports: default
                "state", // 8. state
                "fax", // 9. not a kind of subscription
                "email",
                "smtp.example.com",
                "",
                "",
                "cdr",
                "s3cret!pass",
                "not-an-address",
                "ops@example.com",
                "smtp.example.com",
                "ssl",
                "",
                "cdr",
                "s3cret!pass",
                "cdr@example.com",
                "ops@example.com, finance@example.com",
                "webhook",
                "https://hooks.example.com/cdr",
                "",
                "", //    done
                "25:00",
                "cron(99 9 * * ? *)",
                "06:30", // 10. daily: bad time, bad cron, then valid
                "31 12:00",
                "3 07:15", // 11. monthly: a day not in every month, then valid
                "", // 12. host: loopback
                "70000",
                "", // 13. port: out of range, then the default
                "short",
                "" // 14. token: too short, then none
                ),
            "configure");
    assertThat(r.code()).as(r.err() + r.screen()).isZero();
    assertThat(r.screen())
        .contains("cannot read " + dir.resolve("nowhere") + ": bucket folder does not exist")
        .contains("'ten' is not a whole number")
        .contains("0 is not between 1 and 250")
        .contains("251 is not between 1 and 250")
        .contains("answer y or n, not 'maybe'")
        .contains("is, or overlaps, the CDR bucket")
        .contains("holds no CDRs yet under Amazon-Chime-Voice-Connector-CDRs/json/")
        .contains("is inside " + cdrs + ": cdr never writes into a CDR bucket")
        .contains("'fax' is not email, webhook, sns or log")
        .contains("is not an email address")
        .contains("'25:00' is not a time of day")
        .contains("cron(99 9 * * ? *)")
        .contains("day 31: choose 1 to 28")
        .contains("70000 is not between 1 and 65535")
        .contains("a token is 16 to 512 printable characters")
        .doesNotContain("s3cret!pass"); // typed without echo

    Config c = ConfigLoader.load(dir.resolve("cdr.yaml"));
    assertThat(c.cdrBucket()).isEqualTo(new StoreLocation.Local(cdrs));
    assertThat(c.additionalCdrBucket()).contains(new StoreLocation.Local(dir.resolve("empty")));
    assertThat(c.dailyWorkers()).isEqualTo(12);
    assertThat(c.fullWorkers()).isEqualTo(100);
    assertThat(c.launch().fullEtl()).isFalse();
    assertThat(c.processedBucket()).isEqualTo(new StoreLocation.Local(dir.resolve("table")));
    assertThat(c.reportsBucket()).isEqualTo(new StoreLocation.Local(dir.resolve("data/reports")));
    assertThat(c.stateDir()).isEqualTo(dir.resolve("state"));
    assertThat(c.schedules().get("daily").text()).isEqualTo("cron(30 6 * * ? *)");
    assertThat(c.schedules().get("monthlyReport").text()).isEqualTo("cron(15 7 3 * ? *)");
    assertThat(c.server().host()).isEqualTo("127.0.0.1");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().token()).isEmpty();
    assertThat(c.notifications()).hasSize(2);
    Subscription.Email mail = (Subscription.Email) c.notifications().get(0);
    assertThat(mail.tls()).isEqualTo(Subscription.Tls.SSL);
    assertThat(mail.port()).isEqualTo(465);
    assertThat(mail.user()).contains("cdr");
    assertThat(mail.password()).contains("s3cret!pass");
    assertThat(mail.to()).containsExactly("ops@example.com", "finance@example.com");
    assertThat(c.notifications().get(1)).isInstanceOf(Subscription.Webhook.class);
    // shown, with its secret hidden, and kept from other users
    assertThat(r.out())
        .contains("wrote " + dir.resolve("cdr.yaml"))
        .contains("cdrBucket: " + cdrs)
        .contains("password: '***'")
        .doesNotContain("s3cret!pass");
    assertThat(Files.readString(dir.resolve("cdr.yaml"))).contains("s3cret!pass");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("cdr.yaml"))))
        .isEqualTo("rw-------");
    assertThat(old).exists(); // not asked about: untouched

    // every command now reads ./cdr.yaml when no other file is named
    Run catalog = cdr("crawl", "raw");
    assertThat(catalog.code()).as(catalog.err()).isZero();
    assertThat(Files.exists(dir.resolve("state/catalog.db"))).isTrue();
  }

  @Test
  void everyQuestionHasAnOptionAndTheFileRoundTrips() throws Exception {
    Path cdrs = bucket("cdrs");
    Path old = bucket("old");
    Run r =
        cdr(
            "configure",
            "--cdr-bucket",
            cdrs.toString(),
            "--daily-workers",
            "7",
            "--full-workers",
            "250",
            "--additional-bucket",
            old.toString(),
            "--no-full-etl",
            "--processed-bucket",
            "out/table",
            "--reports-bucket",
            "out/reports",
            "--state-dir",
            "out/state",
            "--notify",
            "email:host=smtp.example.com,port=587,from=cdr@example.com,to=a@example.com;b@example.com",
            "--notify",
            "sns:topicArn=arn:aws:sns:eu-west-1:123456789012:cdr",
            "--notify",
            "log",
            "--daily-schedule",
            "off",
            "--report-schedule",
            "cron(0 6 1 * ? *)",
            "--host",
            "0.0.0.0",
            "--port",
            "9090",
            "--base-url",
            "https://cdr.example.com/",
            "--yes");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("server.token (made now"); // off loopback a token is made
    String token =
        r.out()
            .lines()
            .filter(l -> l.startsWith("server.token"))
            .findFirst()
            .orElseThrow()
            .replaceAll(".*: ", "");
    assertThat(token).hasSizeGreaterThanOrEqualTo(40);

    Config c = ConfigLoader.load(dir.resolve("cdr.yaml"));
    assertThat(c.cdrBucket()).isEqualTo(new StoreLocation.Local(cdrs));
    assertThat(c.additionalCdrBucket()).contains(new StoreLocation.Local(old));
    assertThat(c.dailyWorkers()).isEqualTo(7);
    assertThat(c.fullWorkers()).isEqualTo(250);
    assertThat(c.launch().fullEtl()).isFalse();
    assertThat(c.processedBucket()).isEqualTo(new StoreLocation.Local(dir.resolve("out/table")));
    assertThat(c.stateDir()).isEqualTo(dir.resolve("out/state"));
    assertThat(c.schedules()).doesNotContainKey("daily");
    assertThat(c.schedules().get("monthlyReport").text()).isEqualTo("cron(0 6 1 * ? *)");
    assertThat(c.notifications()).hasSize(3);
    assertThat(((Subscription.Email) c.notifications().get(0)).to())
        .containsExactly("a@example.com", "b@example.com");
    assertThat(((Subscription.Sns) c.notifications().get(1)).region()).isEqualTo("eu-west-1");
    assertThat(c.server().host()).isEqualTo("0.0.0.0");
    assertThat(c.server().port()).isEqualTo(9090);
    assertThat(c.server().baseUrl()).isEqualTo("https://cdr.example.com");
    assertThat(c.server().token()).contains(token);

    // written again from itself (--yes, --overwrite): the same settings
    Run again = cdr("configure", "--yes", "--overwrite");
    assertThat(again.code()).as(again.err()).isZero();
    Config d = ConfigLoader.load(dir.resolve("cdr.yaml"));
    assertThat(d.toString()).isEqualTo(c.toString());
    assertThat(d.server().token()).isEqualTo(c.server().token());
  }

  @Test
  void anExistingFileIsReplacedOnlyWhenAskedAndItsOtherKeysStay() throws Exception {
    Path cdrs = bucket("cdrs");
    String mine =
        "# mine\ncdrBucket: cdrs\netlMemoryLimit: 512MB\nschedules:\n  full: cron(0 3 ? * 1 *)\ndailyWorkers: 33\n";
    Files.writeString(dir.resolve("cdr.yaml"), mine);

    Run refused = cdr("configure", "--yes");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err().strip())
        .isEqualTo(
            "error: "
                + dir.resolve("cdr.yaml")
                + " exists: add --overwrite to replace it (its values are kept where no option changes them)");
    Run declined = typed(List.of("n"), "configure");
    assertThat(declined.code()).isEqualTo(1);
    assertThat(declined.out()).contains("nothing was written");
    Run cancelled = typed(List.of("y", "cdrs"), "configure"); // the answers end: as Ctrl-D
    assertThat(cancelled.code()).isEqualTo(130);
    assertThat(cancelled.err().strip()).isEqualTo("cancelled: nothing was written or changed");
    assertThat(Files.readString(dir.resolve("cdr.yaml"))).isEqualTo(mine);
    assertThat(dir).isDirectoryNotContaining("glob:**/.cdr.yaml*"); // no temporary file left

    Run replaced = cdr("configure", "--yes", "--overwrite", "--full-workers", "20");
    assertThat(replaced.code()).as(replaced.err()).isZero();
    Config c = ConfigLoader.load(dir.resolve("cdr.yaml"));
    assertThat(c.cdrBucket()).isEqualTo(new StoreLocation.Local(cdrs));
    assertThat(c.dailyWorkers()).isEqualTo(33); // the old value was the default
    assertThat(c.fullWorkers()).isEqualTo(20);
    assertThat(c.etlMemoryLimit()).isEqualTo("512MB"); // not asked about: kept
    assertThat(c.schedules().get("full").text()).isEqualTo("cron(0 3 ? * 1 *)");
    assertThat(Files.readString(dir.resolve("cdr.yaml")))
        .contains("cdrBucket: cdrs\n"); // as it was, relative to the file
  }

  @Test
  void withoutATerminalEveryAnswerIsAnOptionOrADefault() throws Exception {
    bucket("cdrs");
    Run r = cdr("configure", "--cdr-bucket", "cdrs");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "error: there is no terminal to ask on: give --daily-workers "
                + "(and the other answers) as options, and --yes to take the defaults of the rest");
    for (String[] bad :
        new String[][] {
          {"--daily-workers", "0", "--daily-workers: 0 is not between 1 and 250"},
          {"--full-workers", "many", "--full-workers: 'many' is not a whole number"},
          {
            "--cdr-bucket",
            "nowhere",
            "--cdr-bucket: cannot read " + dir.resolve("nowhere") + ": bucket folder does not exist"
          },
          {
            "--processed-bucket",
            "cdrs/out",
            "--processed-bucket: " + dir.resolve("cdrs/out") + " is inside " + dir.resolve("cdrs")
          },
          {
            "--daily-schedule",
            "9am",
            "--daily-schedule: '9am' is not HH:MM, cron(...), rate(...) or off"
          },
          {"--notify", "email:host=h", "missing '--notify email.from'"},
          {"--notify", "pager:to=me", "'pager'"},
          {
            "--no-token",
            "--host=0.0.0.0",
            "--no-token: the server listens on 0.0.0.0, which is not loopback"
          },
          {"--token", "short", "--token: a token is 16 to 512 printable characters"}
        }) {
      List<String> args = new ArrayList<>(List.of("configure", "--yes"));
      if (!bad[0].equals("--cdr-bucket")) {
        args.addAll(List.of("--cdr-bucket", "cdrs"));
      }
      args.addAll(List.of(bad).subList(0, bad.length - 1));
      Run b = cdr(args.toArray(String[]::new));
      assertThat(b.code()).as(String.join(" ", bad)).isEqualTo(2);
      assertThat(b.err().strip())
          .as(String.join(" ", bad))
          .startsWith("error: ")
          .contains(bad[bad.length - 1])
          .doesNotContain("\n")
          .doesNotContain("Exception");
      assertThat(dir.resolve("cdr.yaml")).doesNotExist();
    }
    Run none = cdr("configure", "--yes", "--no-check", "--cdr-bucket", "s3://not-checked");
    assertThat(none.code()).as(none.err()).isZero();
    assertThat(ConfigLoader.load(dir.resolve("cdr.yaml")).cdrBucket())
        .isEqualTo(new StoreLocation.S3("not-checked", ""));
  }

  /** The options of every question before the server's, for the tests of the server's questions. */
  static final List<String> BEFORE_THE_SERVER =
      List.of(
          "configure",
          "--cdr-bucket",
          "cdrs",
          "--daily-workers",
          "10",
          "--full-workers",
          "100",
          "--no-additional-bucket",
          "--full-etl",
          "--processed-bucket",
          "out/table",
          "--reports-bucket",
          "out/reports",
          "--state-dir",
          "out/state",
          "--no-notify",
          "--daily-schedule",
          "09:00",
          "--report-schedule",
          "2 12:00");

  @Test
  void aListenAddressOrLinkTheServiceWouldRefuseIsAskedAgainWithTheReason() throws Exception {
    bucket("cdrs");
    Run r =
        typed(
            List.of(
                "25:00", // 12. host: not an address
                "not_a_host", //    not a host name
                "10.99.99.99", //    not an address of this machine
                "0.0.0.0", //    every address
                "", // 13. port: 8080
                "http://[25:00]:8080", //     the link address: not a URL with a host
                "http://not_a_host:8080", //     nor this
                "https://cdr.example.com/", //     ok
                "" // 14. token: a new one
                ),
            BEFORE_THE_SERVER.toArray(String[]::new));
    assertThat(r.code()).as(r.err() + r.screen()).isZero();
    String notAnAddress = "'25:00' is not a host name or address: it is not an IPv6 address";
    assertThat(r.screen())
        .contains(notAnAddress)
        .contains(
            "'not_a_host' is not a host name or address: a host name has only letters, digits, '-'")
        .contains("10.99.99.99 is not an address of this machine")
        .contains("'http://[25:00]:8080' is not a URL with a host")
        .contains("'http://not_a_host:8080' is not a URL with a host")
        .doesNotContain("nothing was written");
    Config c = ConfigLoader.load(dir.resolve("cdr.yaml"));
    assertThat(c.server().host()).isEqualTo("0.0.0.0");
    assertThat(c.server().baseUrl()).isEqualTo("https://cdr.example.com");
    assertThat(c.server().token()).isPresent();

    // the loader says the same of the same value: one check for both
    Files.writeString(dir.resolve("other.yaml"), "server: {host: '25:00'}\n");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("other.yaml")))
        .hasMessageContaining(notAnAddress);
  }

  @Test
  void withYesAHostTheServiceWouldRefuseIsNotWritten() throws Exception {
    bucket("cdrs");
    for (String[] bad :
        new String[][] {
          {"10.99.99.99", "error: --host: 10.99.99.99 is not an address of this machine"},
          {"25:00", "error: --host: '25:00' is not a host name or address"},
          {"not_a_host", "error: --host: 'not_a_host' is not a host name or address"}
        }) {
      List<String> args = new ArrayList<>(BEFORE_THE_SERVER);
      args.addAll(List.of("--host", bad[0], "--yes"));
      Run r = cdr(args.toArray(String[]::new));
      assertThat(r.code()).as(bad[0]).isEqualTo(2);
      assertThat(r.err().strip()).as(bad[0]).startsWith(bad[1]).doesNotContain("\n");
      assertThat(dir.resolve("cdr.yaml")).doesNotExist();
    }
    // for another machine, with --no-check: written; and 'cdr serve' here refuses it as configure
    // did
    List<String> args = new ArrayList<>(BEFORE_THE_SERVER);
    args.addAll(List.of("--host", "10.99.99.99", "--no-check", "--yes"));
    Run other = cdr(args.toArray(String[]::new));
    assertThat(other.code()).as(other.err()).isZero();
    assertThat(ConfigLoader.load(dir.resolve("cdr.yaml")).server().baseUrl())
        .isEqualTo("http://10.99.99.99:8080");
    Run serve = cdr("serve", "--port", "0");
    assertThat(serve.code()).isEqualTo(1);
    assertThat(serve.err().strip()).contains("10.99.99.99 is not an address of this machine");
  }

  @Test
  void withAwsCredentialsTheAccountsBucketsAreOfferedThoseWithCdrsFirst() throws Exception {
    try (S3Server s3 = new S3Server()) {
      s3.createBucket("aaa-logs");
      s3.createBucket("zzz-cdrs");
      s3.createBucket("mmm-empty");
      s3.store("zzz-cdrs", "", 4)
          .put(
              "Amazon-Chime-Voice-Connector-CDRs/json/vc1/2026/11/01/c1.json",
              "{\"CallId\":\"c1\",\"StartTimeEpochSeconds\":1795219200}"
                  .getBytes(StandardCharsets.UTF_8));
      System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
      try {
        Run r =
            typed(
                List.of("4", "2"),
                "configure",
                "--s3-endpoint",
                s3.endpoint().toString(),
                "--s3-region",
                "us-east-1",
                "--daily-workers",
                "10",
                "--full-workers",
                "100",
                "--no-additional-bucket",
                "--full-etl",
                "--processed-bucket",
                "s3://mmm-empty/lake",
                "--reports-bucket",
                "s3://mmm-empty/reports",
                "--state-dir",
                "st",
                "--no-notify",
                "--daily-schedule",
                "09:00",
                "--report-schedule",
                "2 12:00",
                "--host",
                "127.0.0.1",
                "--port",
                "8080",
                "--no-token");
        assertThat(r.code()).as(r.err() + r.screen()).isZero();
        String screen = r.screen();
        assertThat(screen).contains(" 1) s3://zzz-cdrs  (holds CDRs)");
        assertThat(screen.indexOf("s3://zzz-cdrs")).isLessThan(screen.indexOf("s3://aaa-logs"));
        assertThat(screen)
            .contains("4 is not a number of the list (1-3)")
            .contains("holds no CDRs yet"); // 2: the first without CDRs, alphabetically: aaa-logs
        assertThat(ConfigLoader.load(dir.resolve("cdr.yaml")).cdrBucket())
            .isEqualTo(new StoreLocation.S3("aaa-logs", ""));

        // with --yes the default is the first bucket holding CDRs
        Run d = cdr("configure", "--yes", "--overwrite", "--no-notify");
        assertThat(d.code()).as(d.err()).isZero();
        Config c = ConfigLoader.load(dir.resolve("cdr.yaml"));
        assertThat(c.cdrBucket())
            .isEqualTo(new StoreLocation.S3("aaa-logs", "")); // the existing value first
        Files.delete(dir.resolve("cdr.yaml"));
        Run fresh = cdr("configure", "--yes", "--s3-endpoint", s3.endpoint().toString());
        assertThat(fresh.code()).as(fresh.err()).isZero();
        assertThat(ConfigLoader.load(dir.resolve("cdr.yaml")).cdrBucket())
            .isEqualTo(new StoreLocation.S3("zzz-cdrs", ""));
        assertThat(ConfigLoader.load(dir.resolve("cdr.yaml")).s3().endpoint())
            .contains(s3.endpoint());
      } finally {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
    }
  }

  @Test
  void schedulesInShortFormBecomeEventBridgeExpressions() {
    assertThat(ScheduleAnswer.schedule("09:00", false)).isEqualTo("cron(0 9 * * ? *)");
    assertThat(ScheduleAnswer.schedule("2 12:00", true)).isEqualTo("cron(0 12 2 * ? *)");
    assertThat(ScheduleAnswer.schedule("rate(1 day)", false)).isEqualTo("rate(1 day)");
    assertThat(ScheduleAnswer.schedule("OFF", true)).isEqualTo("off");
    ScheduleExpression.parse(ScheduleAnswer.schedule("23:59", false));
    assertThat(ServerQuestions.isLoopback("127.0.0.1")).isTrue();
    assertThat(ServerQuestions.isLoopback("::1")).isTrue();
    assertThat(ServerQuestions.isLoopback("0.0.0.0")).isFalse();
    assertThat(Optional.of(ServerQuestions.isLoopback("localhost"))).contains(true);
  }
}
