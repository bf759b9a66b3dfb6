package io.cdrpipeline.spark;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.config.ConfigException;
import io.cdrpipeline.config.ConfigLoader;
import io.cdrpipeline.etl.DaySummary;
import io.cdrpipeline.etl.EtlJob;
import io.cdrpipeline.etl.EtlListener;
import io.cdrpipeline.etl.EtlSummary;
import io.cdrpipeline.etl.RawSource;
import io.cdrpipeline.model.Dates;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.table.IcebergTable;
import io.cdrpipeline.table.ProcessedTable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ETL as a Spark application ({@code spark-submit --class io.cdrpipeline.spark.SparkEtlApp
 * cdr-spark-job.jar --config cdr.yaml --date D}): the product's own config, catalog and table,
 * core's {@link EtlJob} on the {@link SparkEngine}; each day one commit from the driver. The last
 * line on stdout is {@code CDR-ETL-RESULT <json>}; a failure is one line {@code cdr-spark: <error>}
 * on stderr and a non-zero exit.
 */
public final class SparkEtlApp {
  private static final Logger LOG = LoggerFactory.getLogger(SparkEtlApp.class);
  static final String RESULT = "CDR-ETL-RESULT ";
  static final int FAILED = 1;
  static final int USAGE = 2;

  static final String HELP =
      String.join(
          "\n",
          "Usage: spark-submit [spark options] --class io.cdrpipeline.spark.SparkEtlApp cdr-spark-job.jar",
          "         --config FILE (--date D[,D...] ... | --from D --to D | --full) [--force] [--workers N] [--execution ID]",
          "Runs the CDR ETL on Spark into the product's processed_cdrs table, one Iceberg commit per day.",
          "  --config FILE   the product's cdr.yaml: buckets, catalogUrl, table, stateDir (required)",
          "  --date D        process this day (YYYY-MM-DD); repeatable or comma-separated; always reprocessed, but",
          "                  a day without raw files, or one that shrank beyond etl.maxShrink, is refused (kept as it was)",
          "  --from D --to D the days of this range (inclusive) that have raw files; unchanged days are skipped",
          "  --full          every crawled day; days whose raw files are unchanged are skipped",
          "  --force         replace a day that shrank beyond etl.maxShrink; with --from/--to or --full, reprocess",
          "                  unchanged days too",
          "  --workers N     read tasks per day (default: dailyWorkers, fullWorkers for --full)",
          "  --execution ID  the workflow execution this run belongs to (for the logs only)",
          "The last line printed is CDR-ETL-RESULT {json}; exit code 0 when every day landed or was skipped.");

  private SparkEtlApp() {}

  /** What to run, from the arguments. */
  record Request(
      Path config,
      List<LocalDate> dates,
      LocalDate from,
      LocalDate to,
      boolean full,
      boolean force,
      Integer workers,
      String execution) {}

  /** A mistake in the arguments: one line. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    if (code != 0) {
      System.exit(code);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Request r;
    try {
      r = parse(args);
    } catch (UsageException e) {
      err.println("cdr-spark: " + e.getMessage() + " (--help for usage)");
      return USAGE;
    }
    if (r == null) {
      out.println(HELP);
      return 0;
    }
    try {
      EtlSummary s = execute(r, out, err);
      out.println(RESULT + s.toJson());
      return 0;
    } catch (ConfigException | UsageException e) {
      err.println("cdr-spark: " + e.getMessage());
      return USAGE;
    } catch (UncheckedIOException e) {
      err.println("cdr-spark: " + e.getCause().getMessage());
      return FAILED;
    } catch (RuntimeException e) {
      LOG.error(
          "ETL run failed{}", r.execution() == null ? "" : " (execution " + r.execution() + ")", e);
      err.println("cdr-spark: " + oneLine(e));
      return FAILED;
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** The request, or null when help was asked for. */
  static Request parse(String[] args) {
    Path config = null;
    List<LocalDate> dates = new ArrayList<>();
    LocalDate from = null;
    LocalDate to = null;
    boolean full = false;
    boolean force = false;
    Integer workers = null;
    String execution = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      String inline = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
      switch (name) {
        case "--help":
        case "-h":
          return null;
        case "--full":
          full = true;
          continue;
        case "--force":
          force = true;
          continue;
        default:
          break;
      }
      if (!List.of("--config", "--date", "--from", "--to", "--workers", "--execution")
          .contains(name)) {
        throw new UsageException("unknown option " + a);
      }
      String value = inline;
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException(name + " needs a value");
        }
        value = args[++i];
      }
      switch (name) {
        case "--config":
          config = Path.of(value);
          break;
        case "--date":
          for (String d : value.split(",")) {
            if (!d.isBlank()) {
              dates.add(date(name, d.trim()));
            }
          }
          break;
        case "--from":
          from = date(name, value);
          break;
        case "--to":
          to = date(name, value);
          break;
        case "--workers":
          try {
            workers = Integer.parseInt(value.trim());
          } catch (NumberFormatException e) {
            throw new UsageException("--workers must be a whole number, got '" + value + "'");
          }
          if (workers < 1 || workers > 100_000) {
            throw new UsageException("--workers must be between 1 and 100000");
          }
          break;
        default:
          execution = value;
      }
    }
    if (config == null) {
      throw new UsageException("--config is required");
    }
    if ((from == null) != (to == null)) {
      throw new UsageException("--from and --to go together");
    }
    if (from != null && from.isAfter(to)) {
      throw new UsageException("--from " + from + " is after --to " + to);
    }
    int kinds = (dates.isEmpty() ? 0 : 1) + (from == null ? 0 : 1) + (full ? 1 : 0);
    if (kinds != 1) {
      throw new UsageException("give exactly one of --date, --from/--to, --full");
    }
    return new Request(config, dates, from, to, full, force, workers, execution);
  }

  private static LocalDate date(String option, String value) {
    try {
      return Dates.day(option, value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static EtlSummary execute(Request r, PrintStream out, PrintStream err) {
    // the driver may run on another machine than cdr: DuckDB's memory is checked where cdr runs
    Config config = ConfigLoader.loadElsewhere(r.config().toAbsolutePath());
    List<SourceSpec> specs = new ArrayList<>();
    specs.add(
        new SourceSpec(
            ProcessedSchema.SOURCE_CDR, StoreSpec.of(config.cdrBucket(), config.s3()), ""));
    config
        .additionalCdrBucket()
        .ifPresent(
            b ->
                specs.add(
                    new SourceSpec(
                        ProcessedSchema.SOURCE_ADDITIONAL,
                        StoreSpec.of(b, config.s3()),
                        b.display() + "/")));
    StoreSpec warehouse = StoreSpec.of(config.tableWarehouse(), config.s3());
    EtlListener listener =
        new EtlListener() {
          @Override
          public void message(String text) {
            err.println("cdr-spark: " + text);
          }

          @Override
          public void dayFinished(DaySummary d) {
            if (d.refused()) {
              out.printf("%s: kept as it was: %s%n", d.day(), d.refusal());
            } else if (d.skipped()) {
              out.printf(
                  "%s: skipped, raw files unchanged since last processed (--force to redo)%n",
                  d.day());
            } else {
              out.printf(
                  "%s: %,d files read, %,d rows written, %,d rejected, %.2f s -> %s%n",
                  d.day(),
                  d.filesRead(),
                  d.rowsWritten(),
                  d.rejected(),
                  d.elapsed().toMillis() / 1000.0,
                  d.outputLocation());
            }
          }
        };
    SparkSession spark =
        SparkSession.builder()
            .appName("cdr-etl" + (r.execution() == null ? "" : " " + r.execution()))
            .getOrCreate();
    try {
      Database database = Database.open(config.catalogUrl());
      Catalog catalog = new Catalog(database);
      List<RawSource> sources = new ArrayList<>();
      for (SourceSpec s : specs) {
        sources.add(s.open());
      }
      ObjectStore warehouseStore = warehouse.shared();
      try (ProcessedTable table =
          new ProcessedTable(
              IcebergTable.open(
                  config.table(), config.catalogUrl(), config.database(), warehouseStore),
              catalog)) {
        EtlJob job =
            new EtlJob(
                catalog,
                sources,
                table,
                new SparkEngine(spark, specs, warehouse, listener),
                listener,
                config.etl().maxShrink());
        if (r.full()) {
          return job.runFull(r.workers() != null ? r.workers() : config.fullWorkers(), r.force());
        }
        int workers = r.workers() != null ? r.workers() : config.dailyWorkers();
        if (!r.dates().isEmpty()) {
          return job.runDays(r.dates(), workers, false, r.force());
        }
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = r.from(); !d.isAfter(r.to()); d = d.plusDays(1)) {
          if (hasRawFiles(sources, d)) {
            days.add(d);
          }
        }
        return job.runDays(days, workers, !r.force(), r.force());
      }
    } finally {
      spark.stop();
    }
  }

  /** True as soon as one raw file of the day is seen, in any bucket and voice connector. */
  private static boolean hasRawFiles(List<RawSource> sources, LocalDate day) {
    for (RawSource source : sources) {
      ObjectStore store = source.store();
      try {
        for (String vc : store.listFolders(RawLayout.ROOT)) {
          boolean[] found = {false};
          store.listKeys(RawLayout.dayPrefix(vc, day), key -> found[0] |= !store.isFolder(key));
          if (found[0]) {
            return true;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read CDR bucket " + store.location().display() + ": " + e.getMessage(), e);
      }
    }
    return false;
  }

  static Optional<String> resultJson(List<String> stdout) {
    for (int i = stdout.size() - 1; i >= 0; i--) {
      if (stdout.get(i).startsWith(RESULT)) {
        return Optional.of(stdout.get(i).substring(RESULT.length()));
      }
    }
    return Optional.empty();
  }
}
