package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.catalog.DayCommit;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.model.Column;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.table.StoreFileIO;
import io.cdrpipeline.table.TableSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench-table",
    mixinStandardHelpOptions = true,
    description = {
      "Measure queries of the processed table against its history and against DuckDB alone.",
      "Synthetic processed days are written with DuckDB and committed through the product's own",
      "commit path (one Iceberg snapshot per day, maintained as the daily workflow does). Then,",
      "in one run, every figure the best of three whole new processes:",
      "  (h1) a one-day query with --small days of history, (h2) the same with --large days;",
      "  (r1) 'cdr report --month' with --small days, (r2) the same with --large days;",
      "       targets: h2/h1 and r2/r1 at most 1.10 (a query pays only for what it reads);",
      "  (s)  'cdr query' of the starter kit's query over --seed-days days of --seed-rows rows,",
      "  (d)  the same query in DuckDB alone over the same files listed by hand;",
      "       target: s/d at most 1.2."
    })
public final class TableBenchCommand implements Callable<Integer> {
  private static final LocalDate LAST = LocalDate.of(2026, 11, 30);

  @Spec CommandSpec spec;

  @Option(
      names = "--small",
      paramLabel = "DAYS",
      defaultValue = "30",
      description = "Days of the short history (default: ${DEFAULT-VALUE}).")
  int small;

  @Option(
      names = "--large",
      paramLabel = "DAYS",
      defaultValue = "1000",
      description = "Days of the long history (default: ${DEFAULT-VALUE}).")
  int large;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "2000",
      description = "Rows per day of the history tables (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(
      names = "--seed-days",
      paramLabel = "DAYS",
      defaultValue = "30",
      description = "Days of the seed-query table (default: ${DEFAULT-VALUE}).")
  int seedDays;

  @Option(
      names = "--seed-rows",
      paramLabel = "N",
      defaultValue = "1000000",
      description = "Rows per day of the seed-query table (default: ${DEFAULT-VALUE}).")
  int seedRows;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Working folder (default: <stateDir>/bench-table); tables are reused.")
  Path dir;

  @Option(
      names = "--xmx",
      paramLabel = "SIZE",
      defaultValue = "512m",
      description = "Java heap of each measured process (default: ${DEFAULT-VALUE}).")
  String xmx;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    if (small < 1 || large < small || rows < 1 || seedDays < 1 || seedRows < 1) {
      throw new UserException(
          "need 1 <= --small <= --large, and positive --rows, --seed-days and --seed-rows");
    }
    Path base =
        (dir != null ? dir : ctx.config().stateDir().resolve("bench-table")).toAbsolutePath();
    Path smallDir = prepare(ctx, base.resolve("history-" + small + "x" + rows), small, rows);
    Path largeDir = prepare(ctx, base.resolve("history-" + large + "x" + rows), large, rows);
    Path seedDir =
        prepare(ctx, base.resolve("seed-" + seedDays + "x" + seedRows), seedDays, seedRows);

    String oneDay =
        "SELECT count(*), sum(duration) FROM processed_cdrs WHERE year = "
            + LAST.getYear()
            + " AND month = "
            + LAST.getMonthValue()
            + " AND day = "
            + (LAST.getDayOfMonth() - 3);
    String month = YearMonth.from(LAST).toString();
    double h1 = best(ctx, smallDir, List.of("query", "--format", "csv", oneDay));
    double h2 = best(ctx, largeDir, List.of("query", "--format", "csv", oneDay));
    double r1 = best(ctx, smallDir, List.of("report", "--month", month));
    double r2 = best(ctx, largeDir, List.of("report", "--month", month));
    String seed =
        "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount FROM (SELECT npanxx, "
            + "SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount FROM cdrs.processed_cdrs GROUP BY npanxx) GROUP BY npanxx";
    double s = best(ctx, seedDir, List.of("query", "--format", "csv", seed));
    double d = bestAlone(ctx, seedDir, seed.replace("cdrs.processed_cdrs", "t"));

    ctx.out.printf("%-62s %8s%n", "measure (best of 3 whole processes)", "seconds");
    ctx.out.printf("%-62s %8.2f%n", "(h1) one-day query, " + small + " days of history", h1);
    ctx.out.printf("%-62s %8.2f%n", "(h2) one-day query, " + large + " days of history", h2);
    ctx.out.printf("%-62s %8.2f%n", "(r1) cdr report --month, " + small + " days of history", r1);
    ctx.out.printf("%-62s %8.2f%n", "(r2) cdr report --month, " + large + " days of history", r2);
    ctx.out.printf(
        "%-62s %8.2f%n",
        "(s)  seed query, cdr query, " + seedDays + " days x " + seedRows + " rows", s);
    ctx.out.printf("%-62s %8.2f%n", "(d)  seed query, DuckDB alone over the same files", d);
    ctx.out.printf(
        "ratios: h2/h1 = %.2f, r2/r1 = %.2f (targets <= 1.10); s/d = %.2f (target <= 1.2)%n",
        h2 / h1, r2 / r1, s / d);
    return 0;
  }

  /** A folder with a config and a table of {@code days} days up to {@link #LAST}, made once. */
  private Path prepare(AppContext ctx, Path folder, int days, int perDay) throws Exception {
    Path marker = folder.resolve("ready");
    if (Files.exists(marker)) {
      return folder;
    }
    deleteTree(folder);
    Files.createDirectories(folder);
    Files.writeString(
        folder.resolve("cdr.yaml"),
        "cdrBucket: cdr-bucket\nprocessedBucket: processed\n"
            + "reportsBucket: reports\nstateDir: state\n",
        StandardCharsets.UTF_8);
    ctx.err.printf("writing %,d days of %,d rows into %s ...%n", days, perDay, folder);
    Database db = Database.open("jdbc:sqlite:" + folder.resolve("state/catalog.db"));
    Catalog catalog = new Catalog(db);
    LocalStore processed = new LocalStore(folder.resolve("processed"));
    try (ProcessedTable table =
            new ProcessedTable(
                IcebergTable.open(TableSettings.DEFAULTS, db.url(), "cdrs", processed), catalog);
        Connection duck = DuckDb.open("2GB", folder.resolve("duck-tmp"), 0);
        Statement st = duck.createStatement()) {
      Map<String, Integer> ids = table.iceberg().fieldIds();
      String fieldIds =
          ids.entrySet().stream()
              .map(e -> DuckDb.ident(e.getKey()) + ": " + e.getValue())
              .collect(Collectors.joining(", ", "{", "}"));
      Path tmp = folder.resolve("day.parquet");
      for (int i = days - 1; i >= 0; i--) {
        LocalDate day = LAST.minusDays(i);
        String run = "bench-" + day;
        ProcessedTable.DayWrite w = table.begin(day, run);
        st.execute(
            "COPY ("
                + rowsSql(day, perDay)
                + ") TO "
                + DuckDb.literal(tmp.toString())
                + " (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880, FIELD_IDS "
                + fieldIds
                + ")");
        String location = w.newDataFile(0);
        w.upload(tmp, location);
        w.commit(
            new DayCommit(
                day, run, "bench", perDay, Files.size(tmp), perDay, 0, sink -> {}, Instant.now()),
            List.of(new IcebergTable.NewFile(location, Files.size(tmp), perDay)));
        if (i % 50 == 0) {
          // as the daily workflow keeps it: old snapshots expired, manifests rewritten by month
          table.iceberg().maintain(Duration.ZERO, Instant.now());
        }
      }
      table.iceberg().maintain(Duration.ZERO, Instant.now());
      Files.deleteIfExists(tmp);
    }
    deleteTree(folder.resolve("duck-tmp"));
    Files.writeString(marker, "ok");
    return folder;
  }

  /** Rows of one synthetic day in the table's column order: numbers spread like real calls. */
  static String rowsSql(LocalDate day, int n) {
    long start = day.toEpochDay() * 86400;
    Map<String, String> e = new HashMap<>();
    e.put("awsaccountid", "'123456789012'");
    e.put("transactionid", "md5(" + DuckDb.literal(day + "t") + " || i)");
    e.put("callid", "md5(" + DuckDb.literal(day + "c") + " || i)");
    e.put("voiceconnectorid", "'vc' || (i % 4)");
    e.put("status", "CASE WHEN i % 25 = 0 THEN 'Failed' ELSE 'Completed' END");
    e.put("statusmessage", "'Normal Call Clearing'");
    e.put("billabledurationseconds", "CASE WHEN i % 25 = 0 THEN 0 ELSE (i * 7919) % 1800 END");
    e.put(
        "billabledurationminutes",
        "CASE WHEN i % 25 = 0 THEN 0.0 ELSE ((i * 7919) % 1800) / 60.0 END");
    e.put("schemaversion", "'2.0'");
    e.put("sourcephonenumber", "'+1206555' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0')");
    e.put("sourcecountry", "'US'");
    e.put(
        "destinationphonenumber",
        "'+1' || CAST(200 + (i * 31) % 800 AS VARCHAR) || CAST(200 + (i * 17) % 800 AS VARCHAR) "
            + "|| lpad(CAST(i % 10000 AS VARCHAR), 4, '0')");
    e.put("destinationcountry", "'US'");
    e.put("usagetype", "'USE1-US-outbound-minutes'");
    e.put("servicecode", "'AmazonChimeVoiceConnector'");
    e.put("direction", "CASE WHEN i % 2 = 0 THEN 'Outbound' ELSE 'Inbound' END");
    e.put("starttimeepochseconds", "CAST(" + start + " + (i * 86400) // " + n + " AS BIGINT)");
    e.put(
        "endtimeepochseconds",
        "CAST(" + start + " + (i * 86400) // " + n + " + (i * 7919) % 1800 AS BIGINT)");
    e.put("region", "'us-east-1'");
    e.put("streaming", "i % 3 = 0");
    e.put("isproxycall", "false");
    e.put("duration", "CAST((i * 7919) % 1800 AS BIGINT)");
    e.put(
        "npanxx", "CAST(200 + (i * 31) % 800 AS VARCHAR) || CAST(200 + (i * 17) % 800 AS VARCHAR)");
    e.put("hour", "lpad(CAST(((i * 86400) // " + n + ") // 3600 AS VARCHAR), 2, '0')");
    e.put("start_time", "make_timestamp((" + start + " + (i * 86400) // " + n + ") * 1000000)");
    e.put(
        "end_time",
        "make_timestamp((" + start + " + (i * 86400) // " + n + " + (i * 7919) % 1800) * 1000000)");
    e.put(
        "source_key",
        DuckDb.literal("Amazon-Chime-Voice-Connector-CDRs/json/vc/" + day + "/") + " || i");
    List<String> cols = new ArrayList<>();
    for (Column c : ProcessedSchema.COLUMNS) {
      cols.add(
          "CAST("
              + e.getOrDefault(c.name(), "NULL")
              + " AS "
              + c.type().name()
              + ") AS "
              + DuckDb.ident(c.name()));
    }
    cols.add(day.getYear() + " AS year");
    cols.add(day.getMonthValue() + " AS month");
    cols.add(day.getDayOfMonth() + " AS day");
    return "SELECT "
        + String.join(", ", cols)
        + " FROM range("
        + n
        + ") t(i) ORDER BY voiceconnectorid, starttimeepochseconds";
  }

  /** The best of three whole {@code cdr} processes in the folder. */
  private double best(AppContext ctx, Path folder, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(jvm());
    cmd.add(Commands.MAIN_CLASS);
    cmd.addAll(List.of("--config", folder.resolve("cdr.yaml").toString()));
    cmd.addAll(args);
    return bestOf3(cmd, folder);
  }

  /**
   * The best of three whole processes of DuckDB alone over the table's current files listed by
   * hand.
   */
  private double bestAlone(AppContext ctx, Path folder, String sql) throws Exception {
    List<String> files = new ArrayList<>();
    try (ProcessedTable table =
        new ProcessedTable(
            IcebergTable.open(
                TableSettings.DEFAULTS,
                "jdbc:sqlite:" + folder.resolve("state/catalog.db"),
                "cdrs",
                new LocalStore(folder.resolve("processed"))),
            new Catalog(Database.open("jdbc:sqlite:" + folder.resolve("state/catalog.db"))))) {
      table
          .iceberg()
          .plan(org.apache.iceberg.expressions.Expressions.alwaysTrue())
          .forEach(f -> files.add(StoreFileIO.path(f.location()).toString()));
    }
    Path list = folder.resolve("files.txt");
    Files.write(list, files);
    List<String> cmd = new ArrayList<>(jvm());
    cmd.addAll(List.of(DuckDbQuery.class.getName(), list.toString(), sql));
    return bestOf3(cmd, folder);
  }

  private List<String> jvm() {
    return BenchProcess.quickJvm(xmx);
  }

  private static double bestOf3(List<String> cmd, Path folder) throws Exception {
    return BenchProcess.bestOf3(cmd, folder);
  }

  /**
   * DuckDB alone: one query over the files named in a list file, printed as CSV. Args: list, sql.
   */
  static final class DuckDbQuery {
    private DuckDbQuery() {}

    public static void main(String[] args) throws Exception {
      List<String> files = Files.readAllLines(Path.of(args[0]));
      String source =
          "read_parquet(["
              + files.stream().map(DuckDb::literal).collect(Collectors.joining(", "))
              + "])";
      try (Connection c = DuckDb.open("1GB", Path.of(args[0]).resolveSibling("duck-alone-tmp"), 0);
          Statement s = c.createStatement()) {
        s.execute("CREATE VIEW t AS SELECT * FROM " + source);
        s.execute("COPY (" + args[1] + ") TO '/dev/stdout' (HEADER)");
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    BenchProcess.deleteTree(p);
  }
}
