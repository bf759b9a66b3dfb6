package io.cdrpipeline.app.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.duckdb.DuckDb;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.store.ObjectInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the ETL against baselines on one generated day.",
      "In one run, with the same parallelism and a warm page cache:",
      "  (a)  read the bytes of every file, no parsing            (the I/O limit)",
      "  (a2) read and parse every file with Jackson, no writing  (the parse limit)",
      "  (b)  DuckDB read_json -> COPY TO parquet with the same derived columns",
      "  (c)  'cdr etl --date' for that day, as a whole new process",
      "and print seconds, files/s and the ratios c/a, c/a2, c/b (of files/s).",
      "Then, with the raw day crawled (its files present) and processed:",
      "  (d)  'cdr report --month' of that month, as a whole new process",
      "  (e)  DuckDB alone running the report's two queries over the same Parquet files,",
      "       as a whole new process",
      "and print seconds and d/e (target: at most 1.2)."
    })
public final class BenchCommand implements Callable<Integer> {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);

  @Spec CommandSpec spec;

  @Option(
      names = "--calls",
      paramLabel = "N",
      defaultValue = "200000",
      description = "Files in the day (default: ${DEFAULT-VALUE}).")
  int calls;

  @Option(
      names = "--connectors",
      paramLabel = "K",
      defaultValue = "4",
      description = "Voice connectors (default: ${DEFAULT-VALUE}).")
  int connectors;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Parallel readers for (a), (a2) and (c) (default: dailyWorkers of the config).")
  Integer workers;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Working folder (default: <stateDir>/bench); the generated day is reused.")
  Path dir;

  @Option(
      names = "--xmx",
      paramLabel = "SIZE",
      defaultValue = "512m",
      description = "Java heap of the (c) process (default: ${DEFAULT-VALUE}).")
  String xmx;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    int requested = workers != null ? workers : ctx.config().dailyWorkers();
    Path base = (dir != null ? dir : ctx.config().stateDir().resolve("bench")).toAbsolutePath();
    Path bucket = base.resolve("cdr-bucket");
    Path marker = base.resolve("generated-" + calls + "-" + connectors);
    LocalStore store = new LocalStore(bucket);
    // every measure uses the parallelism the ETL really uses on this store
    int w = Math.max(1, store.readers(requested));
    if (!Files.exists(marker)) {
      deleteTree(base);
      Files.createDirectories(bucket);
      ctx.err.printf("generating %,d CDR files into %s ...%n", calls, bucket);
      new CdrGenerator(store).generate(DAY, calls, connectors, 7, 0, null);
      Files.writeString(marker, "ok");
    }
    List<ObjectInfo> files = new ArrayList<>();
    for (String vc : store.listFolders(RawLayout.ROOT)) {
      files.addAll(store.listAll(RawLayout.dayPrefix(vc, DAY)));
    }
    int n = files.size();
    ctx.out.printf(
        "bench: %,d files, %d voice connectors, %d workers (of %d asked), %d cores%n",
        n, connectors, w, requested, Runtime.getRuntime().availableProcessors());
    readAll(store, files, w, false); // warm the page cache

    double a = best(() -> readAll(store, files, w, false));
    double a2 = best(() -> readAll(store, files, w, true));
    double b = duckdb(ctx, bucket, base);
    double c = etlProcess(ctx, base, bucket, w);

    ctx.out.printf("%-58s %8s %12s%n", "measure", "seconds", "files/s");
    row(ctx, "(a)  read bytes, no parsing (I/O limit)", a, n);
    row(ctx, "(a2) read + Jackson parse, no writing (parse limit)", a2, n);
    row(ctx, "(b)  DuckDB read_json -> COPY TO parquet", b, n);
    row(ctx, "(c)  cdr etl --date, whole process", c, n);
    ctx.out.printf(
        "ratios of files/s: c/a = %.2f, c/a2 = %.2f, c/b = %.2f   (target: c/a2 >= 0.5)%n",
        a / c, a2 / c, b / c);

    double[] report = reportProcesses(ctx, base.resolve("etl"));
    ctx.out.printf("%-58s %8s%n", "measure", "seconds");
    ctx.out.printf(
        "%-58s %8.2f%n", "(d)  cdr report --month, whole process (raw day crawled)", report[0]);
    ctx.out.printf(
        "%-58s %8.2f%n", "(e)  DuckDB alone, the same two queries, whole process", report[1]);
    ctx.out.printf("ratio of seconds: d/e = %.2f   (target: d/e <= 1.2)%n", report[0] / report[1]);
    return 0;
  }

  /**
   * The best of three whole processes each of (d) the monthly report and (e) DuckDB alone running
   * its two queries over the same files, taken in turns.
   */
  private double[] reportProcesses(AppContext ctx, Path work) throws Exception {
    List<String> jvm = BenchProcess.quickJvm(xmx);
    List<String> cdr = new ArrayList<>(jvm);
    cdr.addAll(List.of(Commands.MAIN_CLASS, "--config", work.resolve("cdr.yaml").toString()));
    List<String> crawl = new ArrayList<>(cdr);
    crawl.addAll(List.of("crawl", "raw"));
    run(
        crawl, work, ctx,
        null); // the raw table has the day's files: a report must not pay for them
    List<String> report = new ArrayList<>(cdr);
    report.addAll(List.of("report", "--month", YearMonth.from(DAY).toString()));
    List<String> files = new ArrayList<>();
    try (var s = Files.walk(work.resolve("processed"))) {
      s.filter(f -> f.toString().endsWith(".parquet")).forEach(f -> files.add(f.toString()));
    }
    List<String> alone = new ArrayList<>(jvm);
    alone.addAll(
        List.of(
            DuckDbReport.class.getName(),
            YearMonth.from(DAY).toString(),
            work.resolve("duckdb-report").toString()));
    alone.addAll(files);
    double d = Double.MAX_VALUE;
    double e = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      run(report, work, ctx, i == 0 ? "(d)" : null);
      d = Math.min(d, (System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      run(alone, work, ctx, null);
      e = Math.min(e, (System.nanoTime() - t0) / 1e9);
    }
    return new double[] {d, e};
  }

  /**
   * The baseline of (e): DuckDB alone, the monthly report's two queries over Parquet files given by
   * hand, each written as CSV. Args: month, output folder, files.
   */
  static final class DuckDbReport {
    private DuckDbReport() {}

    public static void main(String[] args) throws Exception {
      YearMonth month = io.cdrpipeline.model.Dates.month("month", args[0]);
      Path out = Path.of(args[1]);
      Files.createDirectories(out);
      List<String> files = List.of(args).subList(2, args.length);
      String source =
          "read_parquet(["
              + files.stream().map(DuckDb::literal).collect(Collectors.joining(", "))
              + "], hive_partitioning = true, hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER})";
      try (Connection c = DuckDb.open("1GB", out.resolve("tmp"), 0);
          Statement s = c.createStatement()) {
        int i = 0;
        for (String sql :
            List.of(
                io.cdrpipeline.report.MonthlyReport.npanxxSql(month),
                io.cdrpipeline.report.MonthlyReport.summarySql(month))) {
          s.execute(
              "COPY ("
                  + sql.replace("FROM processed_cdrs", "FROM " + source)
                  + ") TO "
                  + DuckDb.literal(out.resolve("report-" + i++ + ".csv").toString())
                  + " (HEADER)");
        }
      }
    }
  }

  private void row(AppContext ctx, String name, double seconds, int n) {
    ctx.out.printf("%-58s %8.2f %,12.0f%n", name, seconds, n / seconds);
  }

  private interface Measure {
    void run() throws Exception;
  }

  private static double best(Measure m) throws Exception {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      m.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  private static void readAll(LocalStore store, List<ObjectInfo> files, int w, boolean parse)
      throws Exception {
    JsonFactory json = new JsonFactory();
    ExecutorService pool = Executors.newFixedThreadPool(w);
    AtomicLong sink = new AtomicLong();
    try {
      List<Future<?>> fs = new ArrayList<>();
      int chunk = 256;
      for (int i = 0; i < files.size(); i += chunk) {
        List<ObjectInfo> slice = files.subList(i, Math.min(files.size(), i + chunk));
        fs.add(
            pool.submit(
                () -> {
                  long local = 0;
                  for (ObjectInfo o : slice) {
                    byte[] bytes = store.read(o.key());
                    if (parse) {
                      try (JsonParser p = json.createParser(bytes)) {
                        JsonToken t;
                        while ((t = p.nextToken()) != null) {
                          if (t.isScalarValue()) {
                            local += p.getText().length();
                          }
                        }
                      }
                    } else {
                      local += bytes.length;
                    }
                  }
                  sink.addAndGet(local);
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private double duckdb(AppContext ctx, Path bucket, Path base) throws Exception {
    Path out = base.resolve("duckdb.parquet");
    String glob =
        bucket
            .resolve(
                RawLayout.ROOT + "*/" + new io.cdrpipeline.model.DayPartition(DAY).rawPath() + "/*")
            .toString();
    String columns =
        "{'AwsAccountId': 'VARCHAR', 'TransactionId': 'VARCHAR', 'CallId': 'VARCHAR', "
            + "'VoiceConnectorId': 'VARCHAR', 'Status': 'VARCHAR', 'StatusMessage': 'VARCHAR', "
            + "'BillableDurationSeconds': 'BIGINT', 'BillableDurationMinutes': 'DOUBLE', 'SchemaVersion': 'VARCHAR', "
            + "'SourcePhoneNumber': 'VARCHAR', 'SourcePhoneNumberName': 'VARCHAR', 'SourceCountry': 'VARCHAR', "
            + "'DestinationPhoneNumber': 'VARCHAR', 'DestinationPhoneNumberName': 'VARCHAR', 'DestinationCountry': 'VARCHAR', "
            + "'UsageType': 'VARCHAR', 'ServiceCode': 'VARCHAR', 'Direction': 'VARCHAR', 'StartTimeEpochSeconds': 'BIGINT', "
            + "'EndTimeEpochSeconds': 'BIGINT', 'Region': 'VARCHAR', 'Streaming': 'BOOLEAN', 'IsProxyCall': 'BOOLEAN', "
            + "'SipAuthUser': 'VARCHAR'}";
    String sql =
        "COPY (SELECT * EXCLUDE (filename), "
            + "EndTimeEpochSeconds - StartTimeEpochSeconds AS duration, "
            + "CASE WHEN regexp_full_match(DestinationPhoneNumber, '\\+?1[0-9]{10}') "
            + "THEN substr(ltrim(DestinationPhoneNumber, '+'), 2, 6) END AS npanxx, "
            + "lpad(CAST(hour(make_timestamp(StartTimeEpochSeconds * 1000000)) AS VARCHAR), 2, '0') AS hour, "
            + "make_timestamp(StartTimeEpochSeconds * 1000000) AS start_time, "
            + "make_timestamp(EndTimeEpochSeconds * 1000000) AS end_time, filename AS source_key "
            + "FROM read_json("
            + DuckDb.literal(glob)
            + ", columns = "
            + columns
            + ", format = 'newline_delimited', filename = true) ORDER BY VoiceConnectorId, StartTimeEpochSeconds) TO "
            + DuckDb.literal(out.toString())
            + " (FORMAT parquet, COMPRESSION snappy)";
    long t0 = System.nanoTime();
    try (Connection c = DuckDb.open(null, base.resolve("duck-tmp"), 0);
        Statement s = c.createStatement()) {
      s.execute(sql);
      double secs = (System.nanoTime() - t0) / 1e9;
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*) FROM read_parquet(" + DuckDb.literal(out.toString()) + ")")) {
        rs.next();
        ctx.err.printf("(b) wrote %,d rows%n", rs.getLong(1));
      }
      return secs;
    }
  }

  private double etlProcess(AppContext ctx, Path base, Path bucket, int w) throws Exception {
    Path work = base.resolve("etl");
    deleteTree(work);
    Files.createDirectories(work);
    Path config = work.resolve("cdr.yaml");
    Files.writeString(
        config,
        "cdrBucket: "
            + bucket
            + "\nprocessedBucket: processed\nreportsBucket: reports\n"
            + "stateDir: state\ndailyWorkers: "
            + w
            + "\n",
        StandardCharsets.UTF_8);
    List<String> cmd = BenchProcess.jvm(xmx);
    cmd.addAll(
        List.of(
            Commands.MAIN_CLASS, "--config", config.toString(), "etl", "--date", DAY.toString()));
    // one untimed run creates the catalog, as a deployed pipeline has it; the timed run replaces
    // the day
    run(cmd, work, ctx, null);
    long t0 = System.nanoTime();
    run(cmd, work, ctx, "(c)");
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void run(List<String> cmd, Path work, AppContext ctx, String label)
      throws Exception {
    String output = BenchProcess.run(cmd, work);
    if (label != null) {
      ctx.err.print(label + " " + output);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    BenchProcess.deleteTree(p);
  }
}
