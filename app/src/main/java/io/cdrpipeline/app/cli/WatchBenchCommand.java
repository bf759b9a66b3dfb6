package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.ConfigException;
import io.cdrpipeline.config.WatchSettings;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.LocalStore;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import io.cdrpipeline.table.TableSettings;
import io.cdrpipeline.watch.WatchBatch;
import io.cdrpipeline.watch.WatchJob;
import io.cdrpipeline.watch.WatchLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench-watch",
    mixinStandardHelpOptions = true,
    description = {
      "Measure how soon 'cdr watch' makes a call queryable after its file lands.",
      "In a fresh pipeline under --dir (a folder bucket, a SQLite catalog, an Iceberg table), CDR",
      "files of today land continuously at --rate files a second for --duration while the watch",
      "polls every --interval; a file's latency is from its landing to the commit of the batch",
      "that appended it (from then on every engine reads it). Prints the polls (busy and idle),",
      "the latency's p50, p90 and max in seconds and as multiples of the interval, and whether",
      "the max is within the target of 2 x the interval."
    })
public final class WatchBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = "The watch's interval, 1s to 1d (default: ${DEFAULT-VALUE}).")
  String interval;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "How long files land (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "20",
      description = "Files landing a second (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Working folder, emptied first (default: <stateDir>/bench-watch).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    Duration every = parse("--interval", interval);
    Duration landing = parse("--duration", duration);
    if (rate < 1 || rate > 10_000) {
      throw new UserException("--rate: 1 to 10000 files a second, got " + rate);
    }
    Path base =
        (dir != null ? dir : ctx.config().stateDir().resolve("bench-watch")).toAbsolutePath();
    deleteTree(base);
    Files.createDirectories(base);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    int total = (int) Math.max(1, landing.toMillis() * rate / 1000);
    // the calls to land, made beforehand so that landing one is a single put
    LocalStore pool = new LocalStore(base.resolve("pool"));
    new CdrGenerator(pool).generate(today, total, 4, 11, 0, null);
    List<String> keys = new ArrayList<>();
    for (String vc : pool.listFolders(RawLayout.ROOT)) {
      pool.listKeys(RawLayout.dayPrefix(vc, today), keys::add);
    }
    Collections.shuffle(keys, new java.util.Random(11)); // not in key order, as calls end
    LocalStore bucket = new LocalStore(base.resolve("cdr-bucket"));
    Database db = Database.open("jdbc:sqlite:" + base.resolve("catalog.db"));
    Catalog catalog = new Catalog(db);
    Map<String, Long> landedAt = new ConcurrentHashMap<>();
    List<Double> latencies = new CopyOnWriteArrayList<>();
    AtomicInteger busy = new AtomicInteger();
    AtomicInteger idle = new AtomicInteger();
    try (ProcessedTable table =
        new ProcessedTable(
            IcebergTable.open(
                TableSettings.DEFAULTS,
                db.url(),
                "cdrs",
                new LocalStore(base.resolve("warehouse"))),
            catalog)) {
      WatchJob job =
          new WatchJob(
              catalog,
              List.of(new RawSource(ProcessedSchema.SOURCE_CDR, bucket, "")),
              table,
              ctx.config().etlMemoryLimit(),
              Files.createDirectories(base.resolve("tmp")),
              ctx.config().dailyWorkers(),
              Clock.systemUTC(),
              (days, b) -> {
                long at = System.nanoTime();
                for (String k :
                    catalog.query(
                        "SELECT object_key FROM watch_keys WHERE batch_id = ?",
                        rs -> rs.getString(1),
                        b.batchId().orElseThrow())) {
                  Long landed = landedAt.get(k);
                  if (landed != null) {
                    latencies.add((at - landed) / 1e9);
                  }
                }
              },
              null);
      WatchLoop loop =
          new WatchLoop(
              () -> {
                java.util.Optional<WatchBatch> b = job.poll();
                b.ifPresent(x -> (x.committed() ? busy : idle).incrementAndGet());
                return b;
              },
              every,
              line -> ctx.err.println(line));
      Thread watching = new Thread(loop, "bench-watch");
      watching.start();
      ctx.err.printf(
          "landing %,d files at %d a second for %s, watch interval %s ...%n",
          total, rate, Commands.duration(landing), Commands.duration(every));
      long start = System.nanoTime();
      for (int i = 0; i < keys.size(); i++) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        String k = keys.get(i);
        bucket.put(k, pool.read(k));
        landedAt.put(k, System.nanoTime());
      }
      // wait for the last files: at most a few intervals more
      long deadline = System.nanoTime() + every.multipliedBy(4).toNanos() + 60_000_000_000L;
      while (latencies.size() < keys.size() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      loop.close();
      watching.join();
    }
    List<Double> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    double secs = every.toMillis() / 1000.0;
    ctx.out.printf(
        "bench-watch: %,d files landed at %d/s over %s; interval %s; %d polls with a batch, %d idle; %,d files queryable%n",
        keys.size(),
        rate,
        Commands.duration(landing),
        Commands.duration(every),
        busy.get(),
        idle.get(),
        sorted.size());
    if (sorted.size() < keys.size()) {
      ctx.out.printf("NOT all files became queryable: %,d of %,d%n", sorted.size(), keys.size());
    }
    if (!sorted.isEmpty()) {
      double p50 = percentile(sorted, 50);
      double p90 = percentile(sorted, 90);
      double max = sorted.get(sorted.size() - 1);
      ctx.out.printf("latency p50 %.2f s = %.2f x interval%n", p50, p50 / secs);
      ctx.out.printf("latency p90 %.2f s = %.2f x interval%n", p90, p90 / secs);
      ctx.out.printf(
          "latency max %.2f s = %.2f x interval (target: at most 2 x interval): %s%n",
          max, max / secs, max <= 2 * secs ? "met" : "NOT met");
    }
    return 0;
  }

  private static void deleteTree(Path p) throws java.io.IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var paths = Files.walk(p)) {
      for (Path x : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  private static double percentile(List<Double> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static Duration parse(String option, String text) {
    try {
      return WatchSettings.interval(option, text);
    } catch (ConfigException e) {
      throw new UserException(e.getMessage().replace("bad value for '" + option + "'", option));
    }
  }
}
