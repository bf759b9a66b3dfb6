package io.cdrpipeline.app.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.Prompts;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.config.Addresses;
import io.cdrpipeline.config.ConfigLoader;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "configure",
    mixinStandardHelpOptions = true,
    description = {
      "Ask what cdr needs, in the terminal, and write the config file (cdr.yaml, or the --config file).",
      "The questions of the original, with its defaults and ranges: the CDR bucket (checked: reachable, and",
      "holding Amazon-Chime-Voice-Connector-CDRs/json/; with AWS credentials the account's buckets are offered,",
      "those holding CDRs first), daily and full ETL workers (1-250), an additional bucket of older CDRs, a",
      "full crawl and ETL at launch; then where the table, reports and state go, notifications (email,",
      "webhook, SNS), the schedule times (UTC) and the server's address and token. An invalid answer is said",
      "and asked again; Enter takes the [default]; Ctrl-C leaves without writing anything.",
      "An existing file is never replaced without asking (or --overwrite); its values are the defaults, and",
      "its other keys are kept. The file is checked by loading it before it is put in place, then shown",
      "(secrets hidden). Every question has an option; --yes takes the default of every other one and asks",
      "nothing (needed without a terminal)."
    })
public final class ConfigureCommand implements Callable<Integer> {
  static final int MAX_WORKERS = 250;

  @Spec CommandSpec spec;

  @Option(
      names = "--cdr-bucket",
      paramLabel = "LOCATION",
      description = "Where Voice Connector writes CDRs: s3://bucket[/prefix] or a folder.")
  String cdrBucket;

  @Option(
      names = "--daily-workers",
      paramLabel = "N",
      description = "Parallel readers of the daily ETL (1-250, default 10).")
  String dailyWorkers;

  @Option(
      names = "--full-workers",
      paramLabel = "N",
      description = "Parallel readers of the full ETL (1-250, default 100).")
  String fullWorkers;

  @Option(
      names = "--additional-bucket",
      paramLabel = "LOCATION",
      description = "An older bucket of CDRs, processed into the same table.")
  String additionalBucket;

  @Option(names = "--no-additional-bucket", description = "No additional bucket.")
  boolean noAdditionalBucket;

  @Option(
      names = "--full-etl",
      negatable = true,
      description = "Run a full crawl and ETL of every day at launch (default: yes).")
  Boolean fullEtl;

  @Option(
      names = "--processed-bucket",
      paramLabel = "LOCATION",
      description = "Where the processed table goes (default: ./data/processed).")
  String processedBucket;

  @Option(
      names = "--reports-bucket",
      paramLabel = "LOCATION",
      description = "Where the monthly reports go (default: ./data/reports).")
  String reportsBucket;

  @Option(
      names = "--state-dir",
      paramLabel = "FOLDER",
      description = "Catalog, locks, temporary files (default: ./data/state).")
  String stateDir;

  @Option(
      names = "--notify",
      paramLabel = "TYPE:KEY=VALUE,...",
      description = {
        "A notification subscription (repeat for more), e.g. 'email:host=smtp.example.com,from=cdr@example.com,"
            + "to=ops@example.com;finance@example.com', 'webhook:url=https://hooks.example.com/cdr', "
            + "'sns:topicArn=arn:aws:sns:us-east-1:123456789012:cdr', 'log'. Keys as under notifications: in docs/configuration.md. "
            + "Secrets on a command line are seen by other users: prefer the questions for passwords."
      })
  List<String> notify;

  @Option(
      names = "--no-notify",
      description = "No notification subscriptions (removes those of an existing file).")
  boolean noNotify;

  @Option(
      names = "--daily-schedule",
      paramLabel = "WHEN",
      description =
          "When the daily workflow runs, UTC: HH:MM, cron(...), rate(...) or off (default 09:00).")
  String dailySchedule;

  @Option(
      names = "--report-schedule",
      paramLabel = "WHEN",
      description =
          "When the monthly report runs, UTC: 'DAY HH:MM' (day 1-28), cron(...) or off (default '2 12:00').")
  String reportSchedule;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "The address the server listens on (default 127.0.0.1, this machine only).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "The server's port (default 8080).")
  String port;

  @Option(
      names = "--base-url",
      paramLabel = "URL",
      description =
          "The address people reach the server at, for links (asked when the host is not loopback).")
  String baseUrl;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "The token callers send (required off loopback; default: a new random one).")
  String token;

  @Option(names = "--no-token", description = "No token (only on a loopback address).")
  boolean noToken;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description = "An S3-compatible endpoint (s3.endpoint), used for the checks too.")
  String s3Endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION", description = "The S3 region (s3.region).")
  String s3Region;

  @Option(
      names = "--yes",
      description = "Ask nothing: every question without an option takes its default.")
  boolean yes;

  @Option(names = "--overwrite", description = "Replace an existing config file without asking.")
  boolean overwrite;

  @Option(
      names = "--no-check",
      description =
          "Do not check that the CDR buckets can be read (they are still kept apart from the rest), "
              + "nor that the host is an address of this machine (for a file written for another one).")
  boolean noCheck;

  private AppContext ctx;
  private Prompts prompts;
  private ConfigQuestions questions;
  private Path file;
  private Path base;
  private S3Settings s3 = S3Settings.defaults();
  private BucketQuestions buckets;

  @Override
  public Integer call() throws Exception {
    ctx = Commands.context(spec);
    file =
        ctx.configPath()
            .orElse(
                ctx.workingDir().resolve(ConfigLoader.DEFAULT_FILE).toAbsolutePath().normalize());
    base = file.getParent();
    if (Files.isDirectory(file)) {
      throw new UserException(file + " is a folder, not a config file");
    }
    if (noAdditionalBucket && additionalBucket != null) {
      throw new UserException(
          "--additional-bucket and --no-additional-bucket cannot be used together");
    }
    if (noNotify && notify != null) {
      throw new UserException("--notify and --no-notify cannot be used together");
    }
    if (noToken && token != null) {
      throw new UserException("--token and --no-token cannot be used together");
    }
    Optional<Prompts> terminal = yes ? Optional.empty() : ctx.prompts();
    prompts = terminal.orElse(null);
    questions = new ConfigQuestions(prompts, yes, ctx.out);
    try {
      return configure();
    } finally {
      if (prompts != null) {
        prompts.close();
      }
    }
  }

  private int configure() throws IOException {
    boolean exists = Files.exists(file);
    questions.say("CDR Pipeline configuration: " + file);
    if (prompts != null) {
      questions.say("Enter takes the [default]; Ctrl-C leaves without writing anything.");
    }
    if (exists) {
      if (!overwrite) {
        if (prompts == null) {
          throw new UserException(
              file
                  + " exists: add --overwrite to replace it (its values are kept where no option changes them)");
        }
        if (!prompts.yes(
            file.getFileName()
                + " exists. Replace it? Its values are the defaults below, its other keys are kept.",
            false)) {
          ctx.out.println("nothing was written");
          return 1;
        }
      }
      try {
        JsonNode tree = new YAMLMapper().readTree(file.toFile());
        if (tree instanceof ObjectNode o) {
          questions.defaultsFrom(o);
        }
      } catch (IOException e) {
        questions.warn(
            "the existing "
                + file
                + " cannot be read ("
                + e.getMessage().lines().findFirst().orElse("")
                + "): its values are not used");
      }
    }
    s3 = s3Settings();
    buckets = new BucketQuestions(ctx, questions, base, s3, noCheck);

    ObjectNode out = JsonNodeFactory.instance.objectNode();
    String cdr =
        questions.answer(
            "--cdr-bucket",
            cdrBucket,
            "1. The CDR bucket, where Voice Connector writes CDRs (s3://bucket[/prefix] or a folder)",
            cdrBucket == null ? buckets.defaultCdrBucket() : null,
            a -> buckets.cdrLocation(a, "CDR bucket", null),
            false,
            buckets::offerBuckets);
    out.put("cdrBucket", cdr);
    StoreLocation cdrLoc = buckets.location(cdr);
    out.put(
        "dailyWorkers",
        Integer.parseInt(
            questions.answer(
                "--daily-workers",
                dailyWorkers,
                "2. Daily ETL workers (1-" + MAX_WORKERS + ")",
                questions.text("dailyWorkers", "10"),
                a -> Integer.toString(Prompts.whole(a, 1, MAX_WORKERS)),
                false,
                null)));
    out.put(
        "fullWorkers",
        Integer.parseInt(
            questions.answer(
                "--full-workers",
                fullWorkers,
                "3. Full ETL workers (1-" + MAX_WORKERS + ")",
                questions.text("fullWorkers", "100"),
                a -> Integer.toString(Prompts.whole(a, 1, MAX_WORKERS)),
                false,
                null)));
    String additional = additional(cdrLoc);
    if (additional != null) {
      out.put("additionalCdrBucket", additional);
    }
    List<StoreLocation> cdrs = new ArrayList<>(List.of(cdrLoc));
    if (additional != null) {
      cdrs.add(buckets.location(additional));
    }
    boolean full =
        questions.flag(
            "--full-etl",
            fullEtl,
            "5. Run a full crawl and ETL of every day at launch?",
            questions.old().path("launch").path("fullEtl").asBoolean(true));
    out.putObject("launch").put("fullEtl", full);
    out.put(
        "processedBucket",
        questions.answer(
            "--processed-bucket",
            processedBucket,
            "6. Where the processed table goes (s3://... or a folder)",
            questions.text("processedBucket", base.resolve("data/processed").toString()),
            a -> buckets.productLocation(a, "processed table", cdrs, false),
            false,
            null));
    out.put(
        "reportsBucket",
        questions.answer(
            "--reports-bucket",
            reportsBucket,
            "7. Where the monthly reports go (s3://... or a folder)",
            questions.text("reportsBucket", base.resolve("data/reports").toString()),
            a -> buckets.productLocation(a, "reports", cdrs, false),
            false,
            null));
    out.put(
        "stateDir",
        questions.answer(
            "--state-dir",
            stateDir,
            "8. The state folder: catalog, locks, temporary files",
            questions.text("stateDir", base.resolve("data/state").toString()),
            a -> buckets.productLocation(a, "state folder", cdrs, true),
            false,
            null));
    ArrayNode subscriptions = notifications();
    if (!subscriptions.isEmpty()) {
      out.set("notifications", subscriptions);
    }
    ObjectNode schedules = out.putObject("schedules");
    if (questions.old().path("schedules") instanceof ObjectNode o) {
      schedules.setAll(o); // a full schedule, say, stays
    }
    schedules.put(
        "daily",
        questions.answer(
            "--daily-schedule",
            dailySchedule,
            "10. When the daily workflow runs, UTC (HH:MM, cron(...), rate(...) or off)",
            ScheduleAnswer.friendly(questions.text("schedules.daily", "cron(0 9 * * ? *)"), false),
            a -> ScheduleAnswer.schedule(a, false),
            false,
            null));
    schedules.put(
        "monthlyReport",
        questions.answer(
            "--report-schedule",
            reportSchedule,
            "11. When the monthly report runs, UTC (DAY HH:MM with day 1-28, cron(...) or off)",
            ScheduleAnswer.friendly(
                questions.text("schedules.monthlyReport", "cron(0 12 2 * ? *)"), true),
            a -> ScheduleAnswer.schedule(a, true),
            false,
            null));
    ObjectNode serverBlock = out.putObject("server");
    if (questions.old().path("server") instanceof ObjectNode o) {
      serverBlock.setAll(o);
    }
    String generated =
        new ServerQuestions(questions, noCheck)
            .ask(serverBlock, host, port, baseUrl, token, noToken);
    s3Block(out);
    // the keys of the old file that no question is about stay as they were
    for (Iterator<Map.Entry<String, JsonNode>> it = questions.old().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!out.has(e.getKey())
          && !(e.getKey().equals("additionalCdrBucket") && additional == null)
          && !(e.getKey().equals("notifications") && subscriptions.isEmpty())) {
        out.set(e.getKey(), e.getValue());
      }
    }
    return new ConfigFileWriter(ctx, file).write(out, generated, questions.warnings());
  }

  // ---------------------------------------------------------------- the additional bucket and S3

  private String additional(StoreLocation cdr) {
    if (noAdditionalBucket) {
      return null;
    }
    String existing = questions.text("additionalCdrBucket", null);
    if (additionalBucket == null) {
      boolean use;
      if (prompts != null) {
        use = prompts.yes("4. Is an additional bucket of older CDRs used?", existing != null);
      } else if (yes) {
        use = existing != null;
      } else {
        throw new UserException(
            "there is no terminal to ask on: give --additional-bucket or "
                + "--no-additional-bucket, and --yes to take the defaults of the rest");
      }
      if (!use) {
        return null;
      }
    }
    String a =
        questions.answer(
            "--additional-bucket",
            additionalBucket,
            "   The additional bucket (s3://bucket[/prefix] or a folder; none for no additional bucket)",
            existing,
            x ->
                x.strip().equalsIgnoreCase("none")
                    ? ""
                    : buckets.cdrLocation(x, "additional bucket", cdr),
            false,
            null);
    return a.isEmpty() ? null : a;
  }

  private S3Settings s3Settings() {
    String endpoint = s3Endpoint != null ? s3Endpoint : questions.text("s3.endpoint", null);
    String region = s3Region != null ? s3Region : questions.text("s3.region", null);
    Optional<URI> e = Optional.empty();
    if (endpoint != null && !endpoint.isBlank()) {
      try {
        e = Optional.of(Addresses.endpoint(endpoint));
      } catch (IllegalArgumentException bad) {
        throw new UserException("--s3-endpoint: " + bad.getMessage());
      }
    }
    boolean pathStyle =
        questions.old().path("s3").path("pathStyle").isBoolean()
            ? questions.old().path("s3").path("pathStyle").asBoolean()
            : e.isPresent();
    return new S3Settings(e, pathStyle, Optional.ofNullable(region).filter(r -> !r.isBlank()), 8);
  }

  private void s3Block(ObjectNode out) {
    ObjectNode s =
        questions.old().path("s3") instanceof ObjectNode o
            ? o.deepCopy()
            : JsonNodeFactory.instance.objectNode();
    if (s3Endpoint != null) {
      s.put("endpoint", s3Endpoint.strip());
    }
    if (s3Region != null) {
      s.put("region", s3Region.strip());
    }
    if (!s.isEmpty()) {
      out.set("s3", s);
    }
  }

  // ---------------------------------------------------------------- notifications

  private ArrayNode notifications() {
    if (noNotify) {
      return JsonNodeFactory.instance.arrayNode();
    }
    if (notify != null) {
      return SubscriptionQuestions.fromOptions(notify);
    }
    ArrayNode existing = JsonNodeFactory.instance.arrayNode();
    if (questions.old().path("notifications").isArray()) {
      questions.old().path("notifications").forEach(existing::add);
    }
    // --yes: the old file's, or none
    return prompts == null ? existing : new SubscriptionQuestions(prompts).ask(existing);
  }
}
