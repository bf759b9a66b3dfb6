package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.Prompts;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.app.web.ReportServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Addresses;
import io.cdrpipeline.config.ConfigException;
import io.cdrpipeline.config.ConfigLoader;
import io.cdrpipeline.config.ServerSettings;
import io.cdrpipeline.schedule.ScheduleExpression;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "configure", mixinStandardHelpOptions = true,
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
      "nothing (needed without a terminal)."})
public final class ConfigureCommand implements Callable<Integer> {
  static final int MAX_WORKERS = 250;

  @Spec CommandSpec spec;

  @Option(names = "--cdr-bucket", paramLabel = "LOCATION", description = "Where Voice Connector writes CDRs: s3://bucket[/prefix] or a folder.")
  String cdrBucket;

  @Option(names = "--daily-workers", paramLabel = "N", description = "Parallel readers of the daily ETL (1-250, default 10).")
  String dailyWorkers;

  @Option(names = "--full-workers", paramLabel = "N", description = "Parallel readers of the full ETL (1-250, default 100).")
  String fullWorkers;

  @Option(names = "--additional-bucket", paramLabel = "LOCATION", description = "An older bucket of CDRs, processed into the same table.")
  String additionalBucket;

  @Option(names = "--no-additional-bucket", description = "No additional bucket.")
  boolean noAdditionalBucket;

  @Option(names = "--full-etl", negatable = true, description = "Run a full crawl and ETL of every day at launch (default: yes).")
  Boolean fullEtl;

  @Option(names = "--processed-bucket", paramLabel = "LOCATION", description = "Where the processed table goes (default: ./data/processed).")
  String processedBucket;

  @Option(names = "--reports-bucket", paramLabel = "LOCATION", description = "Where the monthly reports go (default: ./data/reports).")
  String reportsBucket;

  @Option(names = "--state-dir", paramLabel = "FOLDER", description = "Catalog, locks, temporary files (default: ./data/state).")
  String stateDir;

  @Option(names = "--notify", paramLabel = "TYPE:KEY=VALUE,...",
      description = {"A notification subscription (repeat for more), e.g. 'email:host=smtp.example.com,from=cdr@example.com,"
          + "to=ops@example.com;finance@example.com', 'webhook:url=https://hooks.example.com/cdr', "
          + "'sns:topicArn=arn:aws:sns:us-east-1:123456789012:cdr', 'log'. Keys as under notifications: in docs/configuration.md. "
          + "Secrets on a command line are seen by other users: prefer the questions for passwords."})
  List<String> notify;

  @Option(names = "--no-notify", description = "No notification subscriptions (removes those of an existing file).")
  boolean noNotify;

  @Option(names = "--daily-schedule", paramLabel = "WHEN", description = "When the daily workflow runs, UTC: HH:MM, cron(...), rate(...) or off (default 09:00).")
  String dailySchedule;

  @Option(names = "--report-schedule", paramLabel = "WHEN", description = "When the monthly report runs, UTC: 'DAY HH:MM' (day 1-28), cron(...) or off (default '2 12:00').")
  String reportSchedule;

  @Option(names = "--host", paramLabel = "HOST", description = "The address the server listens on (default 127.0.0.1, this machine only).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "The server's port (default 8080).")
  String port;

  @Option(names = "--base-url", paramLabel = "URL", description = "The address people reach the server at, for links (asked when the host is not loopback).")
  String baseUrl;

  @Option(names = "--token", paramLabel = "TOKEN", description = "The token callers send (required off loopback; default: a new random one).")
  String token;

  @Option(names = "--no-token", description = "No token (only on a loopback address).")
  boolean noToken;

  @Option(names = "--s3-endpoint", paramLabel = "URL", description = "An S3-compatible endpoint (s3.endpoint), used for the checks too.")
  String s3Endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION", description = "The S3 region (s3.region).")
  String s3Region;

  @Option(names = "--yes", description = "Ask nothing: every question without an option takes its default.")
  boolean yes;

  @Option(names = "--overwrite", description = "Replace an existing config file without asking.")
  boolean overwrite;

  @Option(names = "--no-check", description = "Do not check that the CDR buckets can be read (they are still kept apart from the rest), "
      + "nor that the host is an address of this machine (for a file written for another one).")
  boolean noCheck;

  private AppContext ctx;
  private Prompts prompts;
  private Path file;
  private Path base;
  private ObjectNode old = JsonNodeFactory.instance.objectNode();
  private S3Settings s3 = S3Settings.defaults();
  private List<BucketProbe.Listed> listed;
  private final List<String> warnings = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    ctx = Commands.context(spec);
    file = ctx.configPath().orElse(ctx.workingDir().resolve(ConfigLoader.DEFAULT_FILE).toAbsolutePath().normalize());
    base = file.getParent();
    if (Files.isDirectory(file)) {
      throw new UserException(file + " is a folder, not a config file");
    }
    if (noAdditionalBucket && additionalBucket != null) {
      throw new UserException("--additional-bucket and --no-additional-bucket cannot be used together");
    }
    if (noNotify && notify != null) {
      throw new UserException("--notify and --no-notify cannot be used together");
    }
    if (noToken && token != null) {
      throw new UserException("--token and --no-token cannot be used together");
    }
    Optional<Prompts> terminal = yes ? Optional.empty() : ctx.prompts();
    prompts = terminal.orElse(null);
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
    say("CDR Pipeline configuration: " + file);
    if (prompts != null) {
      say("Enter takes the [default]; Ctrl-C leaves without writing anything.");
    }
    if (exists) {
      if (!overwrite) {
        if (prompts == null) {
          throw new UserException(file + " exists: add --overwrite to replace it (its values are kept where no option changes them)");
        }
        if (!prompts.yes(file.getFileName() + " exists. Replace it? Its values are the defaults below, its other keys are kept.", false)) {
          ctx.out.println("nothing was written");
          return 1;
        }
      }
      try {
        JsonNode tree = new YAMLMapper().readTree(file.toFile());
        if (tree instanceof ObjectNode o) {
          old = o;
        }
      } catch (IOException e) {
        warn("the existing " + file + " cannot be read (" + e.getMessage().lines().findFirst().orElse("") + "): its values are not used");
      }
    }
    s3 = s3Settings();

    ObjectNode out = JsonNodeFactory.instance.objectNode();
    String cdr = answer("--cdr-bucket", cdrBucket, "1. The CDR bucket, where Voice Connector writes CDRs (s3://bucket[/prefix] or a folder)",
        cdrBucket == null ? defaultCdrBucket() : null, a -> cdrLocation(a, "CDR bucket", null), false, true);
    out.put("cdrBucket", cdr);
    StoreLocation cdrLoc = location(cdr);
    out.put("dailyWorkers", Integer.parseInt(answer("--daily-workers", dailyWorkers, "2. Daily ETL workers (1-" + MAX_WORKERS + ")",
        text("dailyWorkers", "10"), a -> Integer.toString(Prompts.whole(a, 1, MAX_WORKERS)), false, false)));
    out.put("fullWorkers", Integer.parseInt(answer("--full-workers", fullWorkers, "3. Full ETL workers (1-" + MAX_WORKERS + ")",
        text("fullWorkers", "100"), a -> Integer.toString(Prompts.whole(a, 1, MAX_WORKERS)), false, false)));
    String additional = additional(cdrLoc);
    if (additional != null) {
      out.put("additionalCdrBucket", additional);
    }
    List<StoreLocation> cdrs = new ArrayList<>(List.of(cdrLoc));
    if (additional != null) {
      cdrs.add(location(additional));
    }
    boolean full = flag("--full-etl", fullEtl, "5. Run a full crawl and ETL of every day at launch?",
        old.path("launch").path("fullEtl").asBoolean(true));
    out.putObject("launch").put("fullEtl", full);
    out.put("processedBucket", answer("--processed-bucket", processedBucket, "6. Where the processed table goes (s3://... or a folder)",
        text("processedBucket", base.resolve("data/processed").toString()), a -> productLocation(a, "processed table", cdrs, false), false, false));
    out.put("reportsBucket", answer("--reports-bucket", reportsBucket, "7. Where the monthly reports go (s3://... or a folder)",
        text("reportsBucket", base.resolve("data/reports").toString()), a -> productLocation(a, "reports", cdrs, false), false, false));
    out.put("stateDir", answer("--state-dir", stateDir, "8. The state folder: catalog, locks, temporary files",
        text("stateDir", base.resolve("data/state").toString()), a -> productLocation(a, "state folder", cdrs, true), false, false));
    ArrayNode subscriptions = notifications();
    if (!subscriptions.isEmpty()) {
      out.set("notifications", subscriptions);
    }
    ObjectNode schedules = out.putObject("schedules");
    if (old.path("schedules") instanceof ObjectNode o) {
      schedules.setAll(o); // a full schedule, say, stays
    }
    schedules.put("daily", answer("--daily-schedule", dailySchedule,
        "10. When the daily workflow runs, UTC (HH:MM, cron(...), rate(...) or off)",
        friendly(text("schedules.daily", "cron(0 9 * * ? *)"), false), a -> schedule(a, false), false, false));
    schedules.put("monthlyReport", answer("--report-schedule", reportSchedule,
        "11. When the monthly report runs, UTC (DAY HH:MM with day 1-28, cron(...) or off)",
        friendly(text("schedules.monthlyReport", "cron(0 12 2 * ? *)"), true), a -> schedule(a, true), false, false));
    ObjectNode serverBlock = out.putObject("server");
    if (old.path("server") instanceof ObjectNode o) {
      serverBlock.setAll(o);
    }
    String generated = server(serverBlock);
    s3Block(out);
    // the keys of the old file that no question is about stay as they were
    for (Iterator<Map.Entry<String, JsonNode>> it = old.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!out.has(e.getKey()) && !(e.getKey().equals("additionalCdrBucket") && additional == null)
          && !(e.getKey().equals("notifications") && subscriptions.isEmpty())) {
        out.set(e.getKey(), e.getValue());
      }
    }
    return write(out, generated);
  }

  // ---------------------------------------------------------------- answers

  /**
   * The answer to one question: its option when given, else the person's, else (with --yes)
   * its default; {@code check} refuses a bad one with a message and returns the value to write.
   */
  private String answer(String option, String given, String question, String dflt, Function<String, String> check,
      boolean secret, boolean listBuckets) {
    if (given != null) {
      try {
        return check.apply(given);
      } catch (IllegalArgumentException | UserException e) {
        throw new UserException(option + ": " + e.getMessage());
      }
    }
    if (prompts != null) {
      if (listBuckets) {
        offerBuckets();
      }
      return secret ? prompts.askSecret(question, dflt, check) : prompts.ask(question, dflt, check);
    }
    if (!yes) {
      throw new UserException("there is no terminal to ask on: give " + option
          + " (and the other answers) as options, and --yes to take the defaults of the rest");
    }
    if (dflt == null) {
      throw new UserException(option + " is needed: it has no default");
    }
    try {
      return check.apply(dflt);
    } catch (IllegalArgumentException | UserException e) {
      throw new UserException(option + " (default " + dflt + "): " + e.getMessage());
    }
  }

  private boolean flag(String option, Boolean given, String question, boolean dflt) {
    if (given != null) {
      return given;
    }
    if (prompts != null) {
      return prompts.yes(question, dflt);
    }
    if (!yes) {
      throw new UserException("there is no terminal to ask on: give " + option + " or --no-"
          + option.substring(2) + ", and --yes to take the defaults of the rest");
    }
    return dflt;
  }

  private String text(String key, String dflt) {
    JsonNode n = old;
    for (String part : key.split("\\.")) {
      n = n.path(part);
    }
    return n.isValueNode() && !n.isNull() ? n.asText() : dflt;
  }

  private void say(String line) {
    if (prompts != null) {
      prompts.say(line);
    } else {
      ctx.out.println(line); // stderr is for the one line of a mistake
    }
  }

  private void warn(String line) {
    warnings.add(line);
    say("warning: " + line);
  }

  // ---------------------------------------------------------------- buckets

  private StoreLocation location(String value) {
    return StoreLocation.parse(value, base);
  }

  /**
   * A location as written to the file: the old file's own value as it was (relative to the
   * file), anything typed made absolute (relative to where the command runs), S3 as s3://.
   */
  private String written(String answer) {
    if (answer.equals(text("cdrBucket", null)) || answer.equals(text("additionalCdrBucket", null))
        || answer.equals(text("processedBucket", null)) || answer.equals(text("reportsBucket", null))
        || answer.equals(text("stateDir", null))) {
      return answer;
    }
    return StoreLocation.parse(answer, ctx.workingDir()).display();
  }

  private String defaultCdrBucket() {
    String d = text("cdrBucket", null);
    if (d != null) {
      return d;
    }
    return accountBuckets().stream().filter(l -> l.holdsCdrs().orElse(false)).map(BucketProbe.Listed::location)
        .findFirst().orElse(base.resolve("data/cdr-bucket").toString());
  }

  private List<BucketProbe.Listed> accountBuckets() {
    if (listed == null) {
      listed = BucketProbe.accountBuckets(s3);
    }
    return listed;
  }

  private void offerBuckets() {
    List<BucketProbe.Listed> l = accountBuckets();
    if (l.isEmpty()) {
      return;
    }
    say("   The buckets of this AWS account (those holding CDRs first); answer a number or a location:");
    for (int i = 0; i < l.size(); i++) {
      BucketProbe.Listed b = l.get(i);
      say(String.format("   %2d) %s%s", i + 1, b.location(),
          b.holdsCdrs().map(h -> h ? "  (holds CDRs)" : "").orElse("  (not looked at)")));
    }
  }

  /** A CDR bucket answer: a number of the list or a location, checked unless --no-check. */
  private String cdrLocation(String answer, String what, StoreLocation other) {
    String a = answer.strip();
    if (a.isEmpty()) {
      throw new IllegalArgumentException("the " + what + " is needed");
    }
    if (a.matches("\\d{1,4}") && listed != null && !listed.isEmpty()) {
      int n = Integer.parseInt(a);
      if (n < 1 || n > listed.size()) {
        throw new IllegalArgumentException(n + " is not a number of the list (1-" + listed.size() + ")");
      }
      a = listed.get(n - 1).location();
    }
    String value = written(a);
    StoreLocation loc = location(value);
    if (other != null && Nesting.overlap(loc, other)) {
      throw new IllegalArgumentException(loc.display() + " is, or overlaps, the CDR bucket " + other.display()
          + ": the additional bucket must be another one");
    }
    if (!noCheck) {
      BucketProbe.Contents c = BucketProbe.contents(loc, s3);
      if (c.voiceConnectors() == 0) {
        warn(c.describe());
      } else {
        say("   ok: " + c.describe());
      }
    }
    return value;
  }

  private String additional(StoreLocation cdr) {
    if (noAdditionalBucket) {
      return null;
    }
    String existing = text("additionalCdrBucket", null);
    if (additionalBucket == null) {
      boolean use;
      if (prompts != null) {
        use = prompts.yes("4. Is an additional bucket of older CDRs used?", existing != null);
      } else if (yes) {
        use = existing != null;
      } else {
        throw new UserException("there is no terminal to ask on: give --additional-bucket or "
            + "--no-additional-bucket, and --yes to take the defaults of the rest");
      }
      if (!use) {
        return null;
      }
    }
    String a = answer("--additional-bucket", additionalBucket,
        "   The additional bucket (s3://bucket[/prefix] or a folder; none for no additional bucket)",
        existing, x -> x.strip().equalsIgnoreCase("none") ? "" : cdrLocation(x, "additional bucket", cdr), false, false);
    return a.isEmpty() ? null : a;
  }

  /** A place the product writes into: never at or inside a CDR bucket (destroy could not clean it). */
  private String productLocation(String answer, String what, List<StoreLocation> cdrs, boolean folderOnly) {
    if (answer.isBlank()) {
      throw new IllegalArgumentException("the " + what + " is needed");
    }
    String value = written(answer.strip());
    StoreLocation loc = location(value);
    if (folderOnly && !(loc instanceof StoreLocation.Local)) {
      throw new IllegalArgumentException("the " + what + " must be a folder on this machine, not " + loc.display());
    }
    for (StoreLocation c : cdrs) {
      if (Nesting.inside(loc, c)) {
        throw new IllegalArgumentException(loc.display() + " is inside " + c.display()
            + ": cdr never writes into a CDR bucket; choose a place outside it");
      }
    }
    if (loc instanceof StoreLocation.Local l && Files.exists(l.root()) && !Files.isDirectory(l.root())) {
      throw new IllegalArgumentException(l.root() + " is a file, not a folder");
    }
    return value;
  }

  private S3Settings s3Settings() {
    String endpoint = s3Endpoint != null ? s3Endpoint : text("s3.endpoint", null);
    String region = s3Region != null ? s3Region : text("s3.region", null);
    Optional<URI> e = Optional.empty();
    if (endpoint != null && !endpoint.isBlank()) {
      try {
        e = Optional.of(Addresses.endpoint(endpoint));
      } catch (IllegalArgumentException bad) {
        throw new UserException("--s3-endpoint: " + bad.getMessage());
      }
    }
    boolean pathStyle = old.path("s3").path("pathStyle").isBoolean() ? old.path("s3").path("pathStyle").asBoolean() : e.isPresent();
    return new S3Settings(e, pathStyle, Optional.ofNullable(region).filter(r -> !r.isBlank()), 8);
  }

  private void s3Block(ObjectNode out) {
    ObjectNode s = old.path("s3") instanceof ObjectNode o ? o.deepCopy() : JsonNodeFactory.instance.objectNode();
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
    if (old.path("notifications").isArray()) {
      old.path("notifications").forEach(existing::add);
    }
    // --yes: the old file's, or none
    return prompts == null ? existing : new SubscriptionQuestions(prompts).ask(existing);
  }

  // ---------------------------------------------------------------- schedules

  private static final Pattern CRON_DAILY = Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) \\* \\* \\? \\*\\)");
  private static final Pattern CRON_MONTHLY = Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) (\\d{1,2}) \\* \\? \\*\\)");

  /** The short form of a schedule, when it has one: {@code cron(0 9 * * ? *)} is 09:00. */
  private static String friendly(String expression, boolean monthly) {
    Matcher m = (monthly ? CRON_MONTHLY : CRON_DAILY).matcher(expression.strip());
    if (!m.matches()) {
      return expression;
    }
    String time = String.format("%02d:%02d", Integer.parseInt(m.group(2)), Integer.parseInt(m.group(1)));
    return monthly ? Integer.parseInt(m.group(3)) + " " + time : time;
  }

  /** A schedule answer as the file writes it: an EventBridge expression, or off. */
  public static String schedule(String answer, boolean monthly) {
    String a = answer.strip();
    if (a.equalsIgnoreCase("off") || a.equalsIgnoreCase("false") || a.equalsIgnoreCase("none")) {
      return "off";
    }
    Matcher m = Pattern.compile(monthly ? "(\\d{1,2})\\s+(\\d{1,2}):(\\d{2})" : "(\\d{1,2}):(\\d{2})").matcher(a);
    if (m.matches()) {
      int g = monthly ? 1 : 0;
      int hour = Integer.parseInt(m.group(g + 1));
      int minute = Integer.parseInt(m.group(g + 2));
      if (hour > 23 || minute > 59) {
        throw new IllegalArgumentException("'" + a + "' is not a time of day (00:00 to 23:59)");
      }
      if (monthly) {
        int day = Integer.parseInt(m.group(1));
        if (day < 1 || day > 28) {
          throw new IllegalArgumentException("day " + day + ": choose 1 to 28, which every month has (or write a cron())");
        }
        return "cron(" + minute + " " + hour + " " + day + " * ? *)";
      }
      return "cron(" + minute + " " + hour + " * * ? *)";
    }
    if (!a.regionMatches(true, 0, "cron(", 0, 5) && !a.regionMatches(true, 0, "rate(", 0, 5)) {
      throw new IllegalArgumentException("'" + a + "' is not " + (monthly ? "DAY HH:MM" : "HH:MM")
          + ", cron(...), rate(...) or off");
    }
    ScheduleExpression e = ScheduleExpression.parse(a);
    if (e.nextAfter(Instant.now()).equals(Instant.MAX)) {
      throw new IllegalArgumentException("'" + a + "' never fires");
    }
    return a;
  }

  // ---------------------------------------------------------------- server

  /** The server block; returns a token made here (to be shown once), or null. */
  private String server(ObjectNode server) {
    String h = answer("--host", host, "12. The address the server listens on (127.0.0.1: this machine only; 0.0.0.0: every address)",
        text("server.host", "127.0.0.1"), this::host, false, false);
    server.put("host", h);
    int p = Integer.parseInt(answer("--port", port, "13. The server's port", text("server.port", "8080"),
        a -> Integer.toString(Prompts.whole(a, 1, 65535)), false, false));
    server.put("port", p);
    boolean loopback = isLoopback(h);
    String oldUrl = text("server.baseUrl", null);
    if (!loopback || baseUrl != null || oldUrl != null) {
      String dflt = oldUrl != null ? oldUrl : "http://" + (loopback ? "localhost" : hostName(h)) + ":" + p;
      server.put("baseUrl", answer("--base-url", baseUrl, "    The address people reach it at, for the links it signs",
          dflt, Addresses::baseUrl, false, false));
    }
    String oldToken = text("server.token", null);
    if (noToken) {
      if (!loopback) {
        throw new UserException("--no-token: the server listens on " + h
            + ", which is not loopback: it needs a token");
      }
      server.remove("token");
      return null;
    }
    String made = null;
    String dflt = oldToken;
    if (dflt == null && !loopback) {
      made = newToken();
      dflt = made;
    }
    String question = "14. The token callers must send (Enter for " + (oldToken != null ? "the existing one"
        : loopback ? "none: the server is for this machine only" : "a new random one") + ")";
    String t = answer("--token", token, question, dflt == null ? "" : dflt, a -> {
      if (a.isEmpty()) {
        if (!loopback) {
          throw new IllegalArgumentException("a token is needed off loopback");
        }
        return a;
      }
      return ServerSettings.checkToken(a);
    }, true, false);
    if (t.isEmpty()) {
      server.remove("token");
    } else {
      server.put("token", t);
    }
    return t.equals(made) ? made : null;
  }

  /**
   * A listen address as the loader takes it and as {@code cdr serve} listens on it: an address
   * of this machine (unless --no-check), so that configure never writes a host the service refuses.
   */
  private String host(String answer) {
    String h = Addresses.host(answer);
    if (!noCheck) {
      try {
        ReportServer.localAddress(h);
      } catch (IOException e) {
        throw new IllegalArgumentException(e.getMessage().replaceFirst("^cannot listen on [^:]+: ", "")
            + "; 'cdr serve' listens only on those");
      }
    }
    return h;
  }

  /** True if the service on {@code host} is for this machine only (no token needed), as the service decides it. */
  public static boolean isLoopback(String host) {
    try {
      return ReportServer.localAddress(host).isLoopbackAddress();
    } catch (IOException e) {
      return false; // not this machine's (written with --no-check): off loopback, as far as configure can tell
    }
  }

  private static String hostName(String host) {
    if (!host.equals("0.0.0.0") && !host.equals("::")) {
      return host.contains(":") ? "[" + host + "]" : host;
    }
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  // ---------------------------------------------------------------- the file

  private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  /** Keys whose values are never shown. */
  private static final Set<String> SECRETS = Set.of("password", "secret", "token");

  private int write(ObjectNode tree, String generatedToken) throws IOException {
    String header = "# CDR Pipeline configuration, written by 'cdr configure' on "
        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ".\n"
        + "# Every key is explained in docs/configuration.md; run 'cdr configure' again to change it.\n";
    String text = header + YAML.writeValueAsString(tree);
    boolean secrets = hasSecret(tree);
    Files.createDirectories(base);
    Path tmp = Files.createTempFile(base, "." + file.getFileName(), ".tmp"); // owner-only until it is in place
    try {
      Files.writeString(tmp, text);
      try {
        ConfigLoader.load(tmp); // a file that is written always loads
      } catch (ConfigException e) {
        throw new UserException("the configuration would not load, nothing was written: "
            + e.getMessage().replace(tmp.toString(), file.toString()));
      }
      if (!secrets) {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
          // the platform's default
        }
      }
      if (Files.exists(file)) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        try {
          Files.createLink(file, tmp); // fails if the file appeared meanwhile: never replaced unasked
        } catch (FileAlreadyExistsException e) {
          throw new UserException(file + " was created by someone else meanwhile: nothing was written");
        } catch (UnsupportedOperationException | IOException noLinks) {
          if (Files.exists(file)) {
            throw new UserException(file + " was created by someone else meanwhile: nothing was written");
          }
          Files.move(tmp, file);
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    ctx.out.println("wrote " + file + (secrets ? " (readable by you only: it holds secrets, shown as ***)" : "") + ":");
    ctx.out.println();
    ctx.out.print(header + YAML.writeValueAsString(masked(tree)));
    ctx.out.println();
    if (generatedToken != null) {
      ctx.out.println("server.token (made now; callers send it as 'Authorization: Bearer <token>'): " + generatedToken);
    }
    for (String w : warnings) {
      ctx.out.println("warning: " + w);
    }
    boolean found = ctx.workingDir().resolve(ConfigLoader.DEFAULT_FILE).toAbsolutePath().normalize().equals(file);
    ctx.out.println("next: cdr " + (found ? "" : "--config " + file + " ") + "launch   (or 'cdr "
        + (found ? "" : "--config " + file + " ") + "service-unit' for a systemd unit that runs it at boot)");
    ctx.out.flush();
    return 0;
  }

  private static boolean hasSecret(JsonNode n) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if ((SECRETS.contains(e.getKey()) && !e.getValue().asText().isEmpty()) || hasSecret(e.getValue())
            || (e.getKey().equals("catalogUrl") && e.getValue().asText().toLowerCase(Locale.ROOT).contains("password="))) {
          return true;
        }
      }
    } else if (n.isArray()) {
      for (JsonNode c : n) {
        if (hasSecret(c)) {
          return true;
        }
      }
    }
    return false;
  }

  private static JsonNode masked(JsonNode n) {
    JsonNode copy = n.deepCopy();
    mask(copy);
    return copy;
  }

  private static void mask(JsonNode n) {
    if (n instanceof ObjectNode o) {
      List<String> keys = new ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        if (SECRETS.contains(k) && o.get(k).isValueNode()) {
          o.put(k, "***");
        } else if (k.equals("catalogUrl")) {
          o.put(k, Database.redact(o.get(k).asText()));
        } else {
          mask(o.get(k));
        }
      }
    } else if (n instanceof ArrayNode a) {
      a.forEach(ConfigureCommand::mask);
    }
  }
}
