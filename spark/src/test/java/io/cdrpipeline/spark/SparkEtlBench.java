package io.cdrpipeline.spark;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.config.ConfigLoader;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark benchmark of docs/benchmarks.md: one day of many CDR files, then a month of days, each
 * run by the embedded engine and by the job jar on Spark {@code local[2]} (spark-submit's way),
 * each in a JVM of its own whose peak resident memory is sampled; and the naive Spark baseline,
 * {@code spark.read.json} of the day's folders. Files are generated once under the given folder.
 *
 * <pre>mvn -B -o -q -pl core,spark package -DskipTests
 * mvn -B -o -q -pl core,spark test-compile exec:exec -pl spark -Dexec.executable=java \
 *   -Dexec.args="-cp %classpath io.cdrpipeline.spark.SparkEtlBench /var/tmp/cdr-bench 200000 30 20000"
 * </pre>
 */
public final class SparkEtlBench {
  private static final LocalDate DAY = LocalDate.of(2026, 6, 1);
  private static final LocalDate MONTH = LocalDate.of(2026, 4, 1);
  static final List<String> OPENS =
      List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false");

  private SparkEtlBench() {}

  /** A child's wall time and sampled peak resident memory. */
  record Measured(double seconds, long peakRssKb, double cpuSeconds, List<String> out) {
    /** The ETL's own time, as its result line says (without the JVM's and Spark's start). */
    double etlSeconds() {
      return SparkEtlApp.resultJson(out)
          .map(
              j -> {
                try {
                  return new com.fasterxml.jackson.databind.ObjectMapper()
                      .readTree(j)
                      .get("seconds")
                      .asDouble();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .orElse(Double.NaN);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("embedded")) {
      embeddedChild(Path.of(args[1]), args[2], args[3]);
      return;
    }
    if (args.length > 0 && args[0].equals("naive")) {
      naiveChild(args[1]);
      return;
    }
    Path dir = Path.of(args.length > 0 ? args[0] : "/var/tmp/cdr-spark-bench").toAbsolutePath();
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int days = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int perDay = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
    boolean withNaive = args.length <= 4 || Boolean.parseBoolean(args[4]);
    String cluster = args.length > 5 && !args[5].isBlank() ? args[5] : null;
    Path jobJar = Path.of("target/cdr-spark-job.jar").toAbsolutePath();
    if (!Files.exists(jobJar)) {
      throw new IllegalStateException(
          "no " + jobJar + ": run mvn -pl core,spark package -DskipTests first");
    }
    System.out.printf(
        "machine: %d cores; files under %s%n", Runtime.getRuntime().availableProcessors(), dir);

    Path one = dir.resolve("one-day");
    generate(one.resolve("cdr-bucket"), List.of(DAY), files);
    Measured e1 = embedded(one, DAY.toString(), DAY.toString());
    Measured s1 = spark(one, jobJar, "local[2]", "--date", DAY.toString());
    report("one day, " + String.format(Locale.ROOT, "%,d", files) + " files", files, e1, s1);
    if (cluster != null) {
      Measured c1 = spark(one, jobJar, cluster, "--date", DAY.toString());
      System.out.printf(
          Locale.ROOT,
          "  Spark %s: %.1f s in all, %,.0f files/s; the ETL itself %.1f s, %,.0f files/s"
              + " (%.2f of local[2]'s)%n",
          cluster,
          c1.seconds(),
          files / c1.seconds(),
          c1.etlSeconds(),
          files / c1.etlSeconds(),
          s1.etlSeconds() / c1.etlSeconds());
    }
    sizing(s1.out());
    if (withNaive) {
      Measured n1 = naive(one.resolve("cdr-bucket"));
      System.out.printf(
          Locale.ROOT,
          "  naive Spark (spark.read.json of the day's folders, count): %.1f s, %,.0f files/s%n",
          n1.seconds(),
          files / n1.seconds());
    }

    Path month = dir.resolve("month");
    List<LocalDate> dates = new ArrayList<>();
    for (int i = 0; i < days; i++) {
      dates.add(MONTH.plusDays(i));
    }
    generate(month.resolve("cdr-bucket"), dates, perDay);
    LocalDate last = dates.get(dates.size() - 1);
    Measured e2 = embedded(month, MONTH.toString(), last.toString());
    Measured s2 =
        spark(month, jobJar, "local[2]", "--from", MONTH.toString(), "--to", last.toString());
    report(
        days + " days of " + String.format(Locale.ROOT, "%,d", perDay) + " files",
        (long) days * perDay,
        e2,
        s2);
  }

  private static void report(String what, long files, Measured embedded, Measured spark) {
    System.out.printf(Locale.ROOT, "%s:%n", what);
    for (Measured m : List.of(embedded, spark)) {
      System.out.printf(
          Locale.ROOT,
          "  %-15s %.1f s in all, %,.0f files/s; the ETL itself %.1f s, %,.0f files/s; peak RSS %,d MB;"
              + " CPU %.1f s%n",
          (m == embedded ? "embedded:" : "Spark local[2]:"),
          m.seconds(),
          files / m.seconds(),
          m.etlSeconds(),
          files / m.etlSeconds(),
          m.peakRssKb() / 1024,
          m.cpuSeconds());
    }
    System.out.printf(
        Locale.ROOT,
        "  Spark / embedded: %.2f of the files/s (%.2f of the ETL's own), %.2f of the peak memory,"
            + " %.2f of the CPU time%n",
        embedded.seconds() / spark.seconds(),
        embedded.etlSeconds() / spark.etlSeconds(),
        (double) spark.peakRssKb() / embedded.peakRssKb(),
        spark.cpuSeconds() / embedded.cpuSeconds());
  }

  /** The days' files, once: a folder that has them already is kept. */
  private static void generate(Path bucket, List<LocalDate> dates, int perDay) throws IOException {
    CdrGenerator gen = new CdrGenerator(new LocalStore(bucket));
    long seed = 1;
    for (LocalDate d : dates) {
      Path marker = bucket.resolve(".generated-" + d + "-" + perDay);
      if (!Files.exists(marker)) {
        gen.generate(d, perDay, 4, seed, 0, null);
        Files.createDirectories(bucket);
        Files.writeString(marker, "");
      }
      seed++;
    }
  }

  /**
   * A fresh deployment over the bucket: its own table and catalog, so each engine writes every day.
   */
  private static Path deployment(Path dir, String engine) throws IOException {
    Path d = dir.resolve(engine);
    deleteTree(d);
    Files.createDirectories(d);
    Path config = d.resolve("cdr.yaml");
    Files.writeString(
        config,
        "cdrBucket: "
            + dir.resolve("cdr-bucket")
            + "\nprocessedBucket: processed\n"
            + "reportsBucket: reports\nstateDir: state\ndailyWorkers: 2\n");
    return config;
  }

  private static Measured embedded(Path dir, String from, String to) throws Exception {
    Path config = deployment(dir, "embedded");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                SparkEtlBench.class.getName(),
                "embedded",
                config.toString(),
                from,
                to));
    return measure(cmd, dir);
  }

  private static final Pattern READ_TASKS =
      Pattern.compile(
          Pattern.quote(SparkEngine.READ_TASKS)
              + " (\\d+) tasks, (\\d+) files, ([0-9.]+) task-seconds in all, ([0-9.]+) s the longest"
              + " task; kept rows (\\d+) bytes in memory, (\\d+) bytes on disk");

  /**
   * What a cluster needs per million files of a day, from what the read tasks of a Spark run took
   * (its log line {@value SparkEngine#READ_TASKS} ...).
   */
  static void sizing(List<String> sparkOutput) {
    Matcher m = null;
    for (String l : sparkOutput) {
      Matcher x = READ_TASKS.matcher(l);
      if (x.find()) {
        m = x;
      }
    }
    if (m == null) {
      System.out.println("  (no read-task figures in the Spark job's log: no sizing)");
      return;
    }
    long files = Long.parseLong(m.group(2));
    double perFile = Double.parseDouble(m.group(3)) / files;
    double bytesPerFile =
        (Long.parseLong(m.group(5)) + Long.parseLong(m.group(6))) / (double) files;
    long million = 1_000_000;
    long tasks = (million + SparkEngine.MAX_BATCH - 1) / SparkEngine.MAX_BATCH;
    double batchSeconds = perFile * SparkEngine.MAX_BATCH;
    double writer = bytesPerFile * Math.min(million, SparkEngine.DIRECT_ROWS) * 2;
    System.out.printf(
        Locale.ROOT,
        "  per million files (from local[2]'s read tasks: %.2f ms and %,.0f bytes kept per file):%n"
            + "    read tasks: %d of %,d files (--workers %d; more gives smaller tasks), %.1f s per task batch on one"
            + " core; %,.0f core-seconds in all%n"
            + "    kept rows: %,.0f MB per task, %,.1f GB in all, in the executors' storage memory"
            + " (spilled to disk beyond it)%n"
            + "    the writing task: the day's rows sorted in memory, about %,.1f GB of its"
            + " executor's heap (days over %,d rows go through Spark SQL, which spills)%n"
            + "    executor memory: at least %,.1f GB for the executor that writes, %,.1f GB per"
            + " core for the others%n",
        perFile * 1000,
        bytesPerFile,
        tasks,
        SparkEngine.MAX_BATCH,
        tasks,
        batchSeconds,
        perFile * million,
        bytesPerFile * SparkEngine.MAX_BATCH / 1e6,
        bytesPerFile * million / 1e9,
        writer / 1e9,
        SparkEngine.DIRECT_ROWS,
        Math.max(1.0, (writer + 300e6) / 0.6 / 1e9),
        Math.max(1.0, (2 * bytesPerFile * SparkEngine.MAX_BATCH + 300e6) / 0.6 / 1e9));
  }

  private static Measured spark(Path dir, Path jobJar, String master, String... dates)
      throws Exception {
    Path config = deployment(dir, "spark");
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx2g"));
    cmd.addAll(OPENS);
    cmd.addAll(
        List.of(
            "-cp",
            Files.readString(jobJar.resolveSibling("spark-classpath.txt")).trim(),
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            master,
            "--conf",
            "spark.ui.enabled=false",
            "--class",
            SparkEtlApp.class.getName(),
            jobJar.toString(),
            "--config",
            config.toString(),
            "--workers",
            "8"));
    cmd.addAll(List.of(dates));
    Measured m = measure(cmd, dir);
    if (m.out().stream().noneMatch(l -> l.startsWith(SparkEtlApp.RESULT))) {
      throw new IllegalStateException("the Spark job failed: " + m.out());
    }
    return m;
  }

  private static Measured naive(Path bucket) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx2g"));
    cmd.addAll(OPENS);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            SparkEtlBench.class.getName(),
            "naive",
            bucket.resolve(RawLayout.ROOT).toString()
                + "/*/"
                + DAY.toString().replace('-', '/')
                + "/*"));
    return measure(cmd, bucket);
  }

  private static Measured measure(List<String> cmd, Path dir) throws Exception {
    Path out = Files.createTempFile("bench", ".out");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    long t0 = System.nanoTime();
    Process p = pb.start();
    long peak = 0;
    double cpu = 0;
    Path status = Path.of("/proc/" + p.pid() + "/status");
    while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
      peak = Math.max(peak, hwm(status));
      cpu = Math.max(cpu, cpuSeconds(p.pid()));
    }
    double s = (System.nanoTime() - t0) / 1e9;
    List<String> lines = Files.readAllLines(out);
    Files.delete(out);
    if (p.exitValue() != 0) {
      throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join("\n", lines));
    }
    return new Measured(s, peak, cpu, lines);
  }

  /**
   * The CPU time the process has used so far (user and system, from /proc), in seconds; 0 once it
   * is gone. Sampled with the memory, so it misses at most the last tenth of a second.
   */
  private static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields 14 and 15 of stat (utime, stime), counted from the state, field 3
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The process's peak resident memory so far (VmHWM), in kB; 0 once it is gone. */
  private static long hwm(Path status) {
    try {
      for (String l : Files.readAllLines(status)) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // it ended meanwhile
    }
    return 0;
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** The embedded engine's run of the days, as `cdr etl` would do it. */
  private static void embeddedChild(Path configFile, String from, String to) throws Exception {
    Config config = ConfigLoader.load(configFile);
    Catalog catalog = new Catalog(Database.open(config.catalogUrl()));
    LocalStore cdr =
        new LocalStore(((io.cdrpipeline.store.StoreLocation.Local) config.cdrBucket()).root());
    List<RawSource> sources = List.of(new RawSource(ProcessedSchema.SOURCE_CDR, cdr, ""));
    ProcessedTable table =
        new ProcessedTable(
            IcebergTable.open(
                config.table(),
                config.catalogUrl(),
                config.database(),
                ObjectStores.open(config.tableWarehouse(), config.s3())),
            catalog);
    Path tmp = config.stateDir().resolve("tmp");
    Files.createDirectories(tmp);
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = LocalDate.parse(from); !d.isAfter(LocalDate.parse(to)); d = d.plusDays(1)) {
      days.add(d);
    }
    EtlSummary s =
        EtlJob.embedded(catalog, sources, table, config.etlMemoryLimit(), tmp, EtlListener.NONE)
            .runDays(days, config.dailyWorkers(), false);
    System.out.println(SparkEtlApp.RESULT + s.toJson());
  }

  /** What a Spark user would write first: read every file of the day as JSON. */
  private static void naiveChild(String glob) {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("naive")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    long n = spark.read().json(glob).count();
    System.out.println("rows " + n);
    spark.stop();
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
