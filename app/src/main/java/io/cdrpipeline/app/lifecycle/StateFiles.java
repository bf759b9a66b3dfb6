package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.cli.BackgroundRunner;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.report.LinkSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The product's entries in the state folder (link secret, temporary files, query cache, execution
 * logs, Spark driver logs, locks), never the folder's other files.
 */
final class StateFiles {
  /** Temporary entries of the ETL, the query engine and the crawler under {@code stateDir/tmp}. */
  private static final Pattern TEMP_ENTRY =
      Pattern.compile("etl-.*|query|query-.*|footer.*\\.parquet");

  private static final Pattern LOCK = Pattern.compile("[A-Za-z0-9._-]+\\.lock");

  /**
   * The driver logs of Spark submissions, and the product's own spark-submit, under {@code
   * stateDir/spark}.
   */
  private static final Pattern SPARK_ENTRY = Pattern.compile("etl-\\d{8}T\\d{6}-[0-9a-f]{8}|home");

  private final Config config;
  private final Untouchable untouchable;
  private final LocalTree local;

  StateFiles(Config config, Untouchable untouchable, LocalTree local) {
    this.config = Objects.requireNonNull(config, "config is null");
    this.untouchable = Objects.requireNonNull(untouchable, "untouchable is null");
    this.local = Objects.requireNonNull(local, "local is null");
  }

  void survey(List<Footprint.Part> parts, List<String> kept) throws IOException {
    Path state = config.stateDir();
    List<Path> entries = new ArrayList<>();
    Optional<String> whole = untouchable.why(state);
    if (whole.isPresent()) {
      if (Files.isDirectory(state)) {
        kept.add(
            "state folder "
                + state
                + " (link secret, temporary files, caches, logs): "
                + whole.get());
      }
      return;
    }
    entries.addAll(
        local.matching(
            state,
            Pattern.compile(
                Pattern.quote(LinkSigner.SECRET_FILE)
                    + "|\\."
                    + Pattern.quote(LinkSigner.SECRET_FILE)
                    + ".*\\.tmp|"
                    + Pattern.quote(LaunchCreated.FILE))));
    entries.addAll(local.matching(state.resolve("tmp"), TEMP_ENTRY));
    entries.addAll(local.matching(state.resolve("logs"), BackgroundRunner.LOG));
    entries.addAll(local.matching(state.resolve("spark"), SPARK_ENTRY));
    Path cache =
        state
            .resolve("cache")
            .resolve(config.processedBucket().display().replaceAll("[^A-Za-z0-9._-]", "_"));
    if (Files.exists(cache, LinkOption.NOFOLLOW_LINKS)) {
      entries.add(cache);
    }
    Path bench = state.resolve("bench");
    if (!local.matching(bench, Pattern.compile("generated-\\d+-\\d+")).isEmpty()) {
      entries.add(bench); // made whole by cdr bench, which itself deletes and remakes it
    }
    Path locks =
        config.sqliteCatalog()
            ? CatalogTables.sqliteFile(config.catalogUrl())
                .map(f -> f.resolveSibling("locks"))
                .orElse(state.resolve("locks"))
            : state.resolve("locks");
    if (untouchable.why(locks).isEmpty()) {
      entries.addAll(local.matching(locks, LOCK));
    }
    List<Path> folders =
        new ArrayList<>(
            List.of(
                state.resolve("tmp"),
                state.resolve("logs"),
                state.resolve("spark"),
                state.resolve("cache"),
                locks,
                state));
    if (entries.isEmpty()) {
      return;
    }
    long files = 0;
    long bytes = 0;
    for (Path e : entries) {
      LocalTree.Tally t = Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS) ? local.tally(e) : null;
      files += t == null ? 1 : t.files;
      bytes += t == null ? Files.size(e) : t.bytes;
    }
    parts.add(
        new Footprint.Part(
            "state files",
            LocalTree.files(files)
                + ", "
                + Commands.bytes(bytes)
                + " in "
                + state
                + " (link secret, temporary files, query cache, execution logs, locks)",
            () -> {
              long n = 0;
              for (Path e : entries) {
                if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
                  local.removeTree(e);
                } else {
                  Files.deleteIfExists(e);
                }
                n++;
              }
              List<String> left = new ArrayList<>();
              for (Path f : folders) {
                if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) && !local.deleteIfEmpty(f)) {
                  left.add(f.toString());
                }
              }
              return n
                  + " entries"
                  + (left.isEmpty()
                      ? ""
                      : "; kept " + String.join(", ", left) + ": they hold files cdr did not make");
            }));
  }
}
