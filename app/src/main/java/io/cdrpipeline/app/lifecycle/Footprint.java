package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.cli.BackgroundRunner;
import io.cdrpipeline.app.context.Commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.CatalogException;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.model.ProcessedSchema;
import io.cdrpipeline.report.LinkSigner;
import io.cdrpipeline.report.MonthlyReport;
import io.cdrpipeline.schedule.ScheduleRunner;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the product made for one config (the processed table, reports, catalog, state files),
 * found and removed without ever changing anything at or inside the CDR bucket or the
 * additional bucket, whatever the config says: what lies there is listed as kept instead.
 */
final class Footprint {
  /** The record {@code cdr launch} keeps of the folders and buckets it created. */
  static final String CREATED_FILE = "launch-created.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Temporary entries of the ETL, the query engine and the crawler under {@code stateDir/tmp}. */
  private static final Pattern TEMP_ENTRY = Pattern.compile("etl-.*|query|query-.*|footer.*\\.parquet");
  private static final Pattern LOCK = Pattern.compile("[A-Za-z0-9._-]+\\.lock");
  /** The driver logs of Spark submissions, and the product's own spark-submit, under {@code stateDir/spark}. */
  private static final Pattern SPARK_ENTRY = Pattern.compile("etl-\\d{8}T\\d{6}-[0-9a-f]{8}|home");

  /** A folder of a bucket, by key prefix, that holds only what the product wrote into it. */
  record Prefix(StoreLocation bucket, String prefix) {
    Prefix {
      Objects.requireNonNull(bucket, "bucket is null");
      Objects.requireNonNull(prefix, "prefix is null");
    }

    String display() {
      return bucket.display() + "/" + prefix;
    }
  }

  /** Where a table's data lives, and the catalog tables that only it uses. */
  record TableFootprint(String table, List<Prefix> locations, List<String> catalogTables) {
    TableFootprint {
      locations = List.copyOf(locations);
      catalogTables = List.copyOf(catalogTables);
    }
  }

  /**
   * The processed table: its files and the catalog tables that record its committed days.
   * Everything destroy removes for the table is listed here, and only here.
   */
  static TableFootprint processedTable(Config config) {
    return new TableFootprint(ProcessedSchema.TABLE,
        List.of(new Prefix(config.tableWarehouse(), ProcessedSchema.TABLE + "/")),
        List.of("processed_days", "processed_files", "staged_days", "staged_quarantine"));
  }

  /** The monthly reports. */
  static Prefix reports(Config config) {
    return new Prefix(config.reportsBucket(), MonthlyReport.PREFIX);
  }

  /** One thing found, with what removing it does. */
  record Part(String what, String detail, Removal removal) {}

  /** Removes a part; returns what was removed, in a few words. */
  interface Removal {
    String remove() throws IOException;
  }

  /** What there is now: the parts to remove, and what is kept (with why). */
  record Survey(List<Part> parts, List<String> kept) {
    boolean empty() {
      return parts.isEmpty();
    }
  }

  private final Config config;
  /** Never written, never removed: the CDR buckets, and the config file. */
  private final List<StoreLocation> untouchable;
  private final Map<StoreLocation, ObjectStore> stores = new LinkedHashMap<>();

  Footprint(Config config, Optional<Path> configFile) {
    this.config = Objects.requireNonNull(config, "config is null");
    List<StoreLocation> u = new ArrayList<>();
    u.add(config.cdrBucket());
    config.additionalCdrBucket().ifPresent(u::add);
    configFile.ifPresent(f -> u.add(new StoreLocation.Local(f.toAbsolutePath().normalize())));
    this.untouchable = List.copyOf(u);
  }

  /** The locations destroy never changes, for the user. */
  List<String> untouchableNames() {
    List<String> names = new ArrayList<>();
    names.add("the CDR bucket " + config.cdrBucket().display());
    config.additionalCdrBucket().ifPresent(a -> names.add("the additional bucket " + a.display()));
    return names;
  }

  // ---------------------------------------------------------------- survey

  Survey survey() throws IOException {
    List<Part> parts = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    TableFootprint table = processedTable(config);
    icebergEntry(parts, kept); // before the files: a catalog may read the table's metadata to drop it
    for (Prefix p : table.locations()) {
      objects("processed table " + table.table(), p, parts, kept);
    }
    objects("reports", reports(config), parts, kept);
    catalog(table, parts, kept);
    state(parts, kept);
    created(parts, kept);
    return new Survey(List.copyOf(parts), List.copyOf(kept));
  }

  /** Why a place is never changed, or empty if destroy may change it. */
  private Optional<String> untouchable(Path local) {
    for (StoreLocation u : untouchable) {
      if (Nesting.inside(local, u)) {
        return Optional.of(reason(u));
      }
    }
    return Optional.empty();
  }

  private Optional<String> untouchable(String bucket, String fullKey) {
    for (StoreLocation u : untouchable) {
      if (Nesting.inside(bucket, fullKey, u)) {
        return Optional.of(reason(u));
      }
    }
    return Optional.empty();
  }

  private String reason(StoreLocation u) {
    if (u.equals(config.cdrBucket())) {
      return "inside the CDR bucket " + u.display() + ", which destroy never changes";
    }
    if (config.additionalCdrBucket().map(u::equals).orElse(false)) {
      return "inside the additional bucket " + u.display() + ", which destroy never changes";
    }
    return "the config file " + u.display() + " is kept";
  }

  private ObjectStore store(StoreLocation location) {
    return stores.computeIfAbsent(location, l -> ObjectStores.open(l, config.s3()));
  }

  /** Every object under a prefix of a bucket, except what lies inside an untouchable location. */
  private void objects(String what, Prefix prefix, List<Part> parts, List<String> kept) throws IOException {
    if (prefix.bucket() instanceof StoreLocation.Local local) {
      Path root = Nesting.real(local.root().resolve(prefix.prefix()));
      if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      Optional<String> whole = untouchable(root);
      Tally t = tally(root);
      if (whole.isPresent()) {
        kept.add(what + ": " + t.describe() + " under " + root + ": " + whole.get());
        return;
      }
      t.kept.forEach(k -> kept.add(what + ": " + k));
      if (t.files == 0 && t.folders == 0) {
        return; // nothing but the way to what is kept
      }
      parts.add(new Part(what, t.describe() + " under " + root, () -> removeTree(root) + " under " + root));
      return;
    }
    S3Store s3 = (S3Store) store(prefix.bucket());
    List<ObjectInfo> objects;
    try {
      s3.checkReadable();
      objects = s3.listAll(prefix.prefix());
    } catch (NoSuchFileException e) {
      return; // no such bucket: nothing of the product there
    }
    List<String> keys = new ArrayList<>();
    long bytes = 0;
    int keptCount = 0;
    String why = null;
    for (ObjectInfo o : objects) {
      Optional<String> u = untouchable(s3.bucket(), s3.fullKey(o.key()));
      if (u.isPresent()) {
        keptCount++;
        why = u.get();
      } else {
        keys.add(o.key());
        bytes += o.size();
      }
    }
    if (keptCount > 0) {
      kept.add(what + ": " + keptCount + " objects under " + prefix.display() + ": " + why);
    }
    if (!keys.isEmpty()) {
      long total = bytes;
      parts.add(new Part(what, files(keys.size()) + ", " + Commands.bytes(total) + " under " + prefix.display(), () -> {
        for (String k : keys) {
          s3.delete(k);
        }
        return files(keys.size()) + " under " + prefix.display();
      }));
    }
  }

  /** What a local folder holds, and which of its sub-folders are kept. */
  private final class Tally {
    long files;
    long bytes;
    long folders;
    final List<String> kept = new ArrayList<>();

    String describe() {
      return files == 0 ? "empty folders" : files(files) + ", " + Commands.bytes(bytes);
    }
  }

  private Tally tally(Path root) throws IOException {
    Tally t = new Tally();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        Optional<String> u = d.equals(root) ? Optional.empty() : untouchable(d);
        if (u.isPresent()) {
          t.kept.add(d + ": " + u.get());
          return FileVisitResult.SKIP_SUBTREE;
        }
        if (!holdsUntouchable(d)) {
          t.folders++; // a folder that leads to a kept one stays
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
        Optional<String> u = untouchable(f);
        if (u.isPresent()) {
          t.kept.add(f + ": " + u.get());
        } else {
          t.files++;
          t.bytes += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
    return t;
  }

  /**
   * Deletes a local folder's files and then its folders, bottom up, never following a link
   * and never entering or deleting anything inside an untouchable location.
   */
  private String removeTree(Path root) throws IOException {
    long[] removed = {0};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        return !d.equals(root) && untouchable(d).isPresent() ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        if (untouchable(f).isEmpty()) {
          Files.deleteIfExists(f);
          removed[0]++;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        deleteIfEmpty(d);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
    return files(removed[0]);
  }

  /** Deletes a folder if nothing is left in it and it is not untouchable; true if it is gone. */
  private boolean deleteIfEmpty(Path dir) throws IOException {
    if (untouchable(dir).isPresent()) {
      return false;
    }
    try {
      return Files.deleteIfExists(dir) || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
    } catch (DirectoryNotEmptyException e) {
      return false;
    }
  }

  private static String files(long n) {
    return n + (n == 1 ? " file" : " files");
  }

  // ---------------------------------------------------------------- catalog

  /** Labels of the product's tables in the listing; others show their name. */
  private static final Map<String, String> TABLE_NAMES = Map.of(
      "executions", "executions",
      "execution_events", "execution events",
      "schedule_runs", "schedule fires",
      "quarantine", "quarantine records",
      "processed_days", "processed days",
      "catalog_partitions", "partitions",
      "catalog_tables", "tables",
      "etl_runs", "ETL runs");

  /**
   * The processed table's entry in its Iceberg catalog (its files are listed with the table's
   * folder). For the JDBC catalog the entry is a row of Iceberg's own tables in the catalog
   * database, looked at without creating anything; for REST and Glue the catalog is asked.
   */
  private void icebergEntry(List<Part> parts, List<String> kept) {
    String ns = config.database();
    if (config.table().catalog() == io.cdrpipeline.table.TableSettings.Kind.JDBC) {
      if (config.sqliteCatalog() && sqliteFile(config.catalogUrl()).map(f -> untouchable(f).isPresent()).orElse(true)) {
        return; // the catalog file itself is kept, or is no plain file: see catalog()
      }
      Optional<Database> opened = Database.openExisting(config.catalogUrl());
      if (opened.isEmpty() || !opened.get().tables().contains("iceberg_tables")) {
        return;
      }
      long n;
      try (java.sql.Connection c = opened.get().connection();
          java.sql.PreparedStatement ps = c.prepareStatement(
              "SELECT count(*) FROM iceberg_tables WHERE table_namespace = ? AND table_name = ?")) {
        ps.setString(1, ns);
        ps.setString(2, ProcessedSchema.TABLE);
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          rs.next();
          n = rs.getLong(1);
        }
      } catch (java.sql.SQLException e) {
        kept.add("the Iceberg catalog entry of " + ProcessedSchema.TABLE + ": cannot read it (" + e.getMessage() + ")");
        return;
      }
      if (n == 0) {
        return;
      }
      Database db = opened.get();
      parts.add(new Part("Iceberg catalog entry", ns + "." + ProcessedSchema.TABLE + " in the jdbc catalog", () -> {
        // Iceberg's own rows of the table and its namespace, deleted as rows: dropping through
        // Iceberg would read the table's metadata first, and other tables may share these
        try (java.sql.Connection c = db.connection()) {
          Catalog.exec(c, "DELETE FROM iceberg_tables WHERE table_namespace = ? AND table_name = ?", ns, ProcessedSchema.TABLE);
          if (db.tables().contains("iceberg_namespace_properties")) {
            Catalog.exec(c, "DELETE FROM iceberg_namespace_properties WHERE namespace = ? AND NOT EXISTS "
                + "(SELECT 1 FROM iceberg_tables WHERE table_namespace = ?)", ns, ns);
          }
          for (String t : List.of("iceberg_tables", "iceberg_namespace_properties")) {
            if (db.tables().contains(t) && db.rows(t) == 0) {
              Catalog.exec(c, "DROP TABLE " + t);
            }
          }
        } catch (java.sql.SQLException e) {
          throw new IOException("cannot remove the Iceberg catalog entry: " + e.getMessage(), e);
        }
        return "the Iceberg catalog entry " + ns + "." + ProcessedSchema.TABLE;
      }));
      return;
    }
    String kind = config.table().catalog().name().toLowerCase(java.util.Locale.ROOT);
    parts.add(new Part("Iceberg catalog entry", ns + "." + ProcessedSchema.TABLE + " in the " + kind + " catalog "
        + "(if it is there)", () -> {
          boolean was = io.cdrpipeline.table.IcebergTable.dropFromCatalog(config.table(), config.catalogUrl(), ns,
              store(config.tableWarehouse()));
          return was ? "the Iceberg catalog entry " + ns + "." + ProcessedSchema.TABLE
              : "no entry of " + ns + "." + ProcessedSchema.TABLE + " in the " + kind + " catalog";
        }));
  }

  private void catalog(TableFootprint table, List<Part> parts, List<String> kept) {
    String url = config.catalogUrl();
    String name = "catalog " + Database.redact(url);
    Optional<Path> file = config.sqliteCatalog() ? sqliteFile(url) : Optional.empty();
    if (file.isPresent()) {
      Optional<String> u = untouchable(file.get());
      if (u.isPresent()) {
        if (Files.exists(file.get())) {
          kept.add(name + " (with its executions, schedules and quarantine records): " + u.get());
        }
        return;
      }
    } else if (config.sqliteCatalog()) {
      kept.add(name + ": not a plain file name, so its tables would be dropped but the file kept; nothing is done");
      return;
    }
    Optional<Database> opened = Database.openExisting(url);
    if (opened.isEmpty()) {
      return;
    }
    Database db = opened.get();
    Set<String> present;
    try {
      present = db.tables();
    } catch (CatalogException e) {
      if (file.isPresent()) {
        kept.add(name + ": not a catalog (" + e.getMessage() + ")");
        return;
      }
      throw e;
    }
    List<String> ours = new ArrayList<>();
    if (present.contains(Database.HISTORY_TABLE)) {
      // only a database the product migrated holds its tables; names alone prove nothing
      Set<String> names = new LinkedHashSet<>(table.catalogTables());
      names.addAll(Database.migrationTables());
      for (String t : names) {
        if (present.contains(t)) {
          ours.add(t);
        }
      }
    }
    long schedulerRows = db.dialect().quartzDelegate().isPresent() ? ScheduleRunner.schedulerRows(db) : 0;
    Set<String> others = new LinkedHashSet<>(present);
    ours.forEach(others::remove);
    // Iceberg's own tables: the table's entry in them goes with the "Iceberg catalog entry", and
    // they go too once empty; they may hold other Iceberg tables, which stay
    others.remove("iceberg_tables");
    others.remove("iceberg_namespace_properties");
    if (ours.isEmpty() && schedulerRows == 0) {
      if (file.isPresent() && present.isEmpty()) {
        parts.add(new Part(name, "an empty database file", () -> deleteSqlite(file.get())));
      } else if (file.isPresent()) {
        kept.add(name + ": holds no table of cdr (" + String.join(", ", others) + ")");
      }
      return;
    }
    List<String> counts = new ArrayList<>();
    for (String t : ours) {
      if (!t.equals(Database.HISTORY_TABLE)) {
        long n = db.rows(t);
        if (n > 0) {
          counts.add(TABLE_NAMES.getOrDefault(t, t.replace('_', ' ')) + " " + n);
        }
      }
    }
    if (schedulerRows > 0) {
      counts.add("scheduler rows " + schedulerRows);
    }
    String detail = ours.size() + " tables of cdr" + (counts.isEmpty() ? "" : " (" + String.join(", ", counts) + ")")
        + (others.isEmpty() ? "" : "; its other tables are kept: " + String.join(", ", others));
    parts.add(new Part(name, detail, () -> {
      if (db.dialect().quartzDelegate().isPresent()) {
        ScheduleRunner.removeSchedulerState(db);
      }
      db.dropTables(ours);
      String done = "dropped " + ours.size() + " tables";
      if (file.isPresent()) {
        if (db.tables().isEmpty()) {
          return done + "; " + deleteSqlite(file.get());
        }
        return done + "; kept the file " + file.get() + ": it holds other tables";
      }
      return done;
    }));
  }

  private static Optional<Path> sqliteFile(String url) {
    return io.cdrpipeline.catalog.Dialect.of(url).file();
  }

  private String deleteSqlite(Path file) throws IOException {
    for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
    }
    return "deleted " + file;
  }

  // ---------------------------------------------------------------- state

  private void state(List<Part> parts, List<String> kept) throws IOException {
    Path state = config.stateDir();
    List<Path> entries = new ArrayList<>();
    Optional<String> whole = untouchable(state);
    if (whole.isPresent()) {
      if (Files.isDirectory(state)) {
        kept.add("state folder " + state + " (link secret, temporary files, caches, logs): " + whole.get());
      }
      return;
    }
    entries.addAll(matching(state, Pattern.compile(Pattern.quote(LinkSigner.SECRET_FILE) + "|\\."
        + Pattern.quote(LinkSigner.SECRET_FILE) + ".*\\.tmp|" + Pattern.quote(CREATED_FILE))));
    entries.addAll(matching(state.resolve("tmp"), TEMP_ENTRY));
    entries.addAll(matching(state.resolve("logs"), BackgroundRunner.LOG));
    entries.addAll(matching(state.resolve("spark"), SPARK_ENTRY));
    Path cache = state.resolve("cache").resolve(config.processedBucket().display().replaceAll("[^A-Za-z0-9._-]", "_"));
    if (Files.exists(cache, LinkOption.NOFOLLOW_LINKS)) {
      entries.add(cache);
    }
    Path bench = state.resolve("bench");
    if (!matching(bench, Pattern.compile("generated-\\d+-\\d+")).isEmpty()) {
      entries.add(bench); // made whole by cdr bench, which itself deletes and remakes it
    }
    Path locks = config.sqliteCatalog() ? sqliteFile(config.catalogUrl()).map(f -> f.resolveSibling("locks"))
        .orElse(state.resolve("locks")) : state.resolve("locks");
    if (untouchable(locks).isEmpty()) {
      entries.addAll(matching(locks, LOCK));
    }
    List<Path> folders = new ArrayList<>(List.of(state.resolve("tmp"), state.resolve("logs"), state.resolve("spark"),
        state.resolve("cache"), locks, state));
    if (entries.isEmpty()) {
      return;
    }
    long files = 0;
    long bytes = 0;
    for (Path e : entries) {
      Tally t = Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS) ? tally(e) : null;
      files += t == null ? 1 : t.files;
      bytes += t == null ? Files.size(e) : t.bytes;
    }
    parts.add(new Part("state files", files(files) + ", " + Commands.bytes(bytes) + " in " + state
        + " (link secret, temporary files, query cache, execution logs, locks)", () -> {
          long n = 0;
          for (Path e : entries) {
            if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
              removeTree(e);
            } else {
              Files.deleteIfExists(e);
            }
            n++;
          }
          List<String> left = new ArrayList<>();
          for (Path f : folders) {
            if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) && !deleteIfEmpty(f)) {
              left.add(f.toString());
            }
          }
          return n + " entries" + (left.isEmpty() ? "" : "; kept " + String.join(", ", left)
              + ": they hold files cdr did not make");
        }));
  }

  /** The entries of a folder whose names match, not inside an untouchable location. */
  private List<Path> matching(Path dir, Pattern names) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        if (names.matcher(e.getFileName().toString()).matches() && untouchable(e).isEmpty()) {
          out.add(e);
        }
      }
    }
    out.sort(null);
    return out;
  }

  // ---------------------------------------------------------------- what launch created

  /** The folders and buckets {@code cdr launch} recorded creating. */
  record Created(List<Path> folders, List<String> buckets) {
    Created {
      folders = List.copyOf(folders);
      buckets = List.copyOf(buckets);
    }
  }

  static Created readCreated(Path stateDir) throws IOException {
    Path f = stateDir.resolve(CREATED_FILE);
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      return new Created(List.of(), List.of());
    }
    JsonNode n;
    try {
      n = JSON.readTree(f.toFile());
    } catch (IOException e) {
      return new Created(List.of(), List.of()); // not ours to trust
    }
    List<Path> folders = new ArrayList<>();
    n.path("folders").forEach(x -> folders.add(Path.of(x.asText()).toAbsolutePath().normalize()));
    List<String> buckets = new ArrayList<>();
    n.path("buckets").forEach(x -> buckets.add(x.asText()));
    return new Created(folders, buckets);
  }

  /** Adds folders and buckets to the record of what launch created. */
  static void recordCreated(Path stateDir, List<Path> folders, List<String> buckets) throws IOException {
    if (folders.isEmpty() && buckets.isEmpty()) {
      return;
    }
    Created old = readCreated(stateDir);
    Set<String> f = new LinkedHashSet<>();
    old.folders().forEach(p -> f.add(p.toString()));
    folders.forEach(p -> f.add(p.toAbsolutePath().normalize().toString()));
    Set<String> b = new LinkedHashSet<>(old.buckets());
    b.addAll(buckets);
    ObjectNode n = JSON.createObjectNode();
    ArrayNode fa = n.putArray("folders");
    f.forEach(fa::add);
    ArrayNode ba = n.putArray("buckets");
    b.forEach(ba::add);
    Files.createDirectories(stateDir);
    Path tmp = Files.createTempFile(stateDir, "." + CREATED_FILE, ".tmp");
    try {
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
      Files.move(tmp, stateDir.resolve(CREATED_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void created(List<Part> parts, List<String> kept) throws IOException {
    if (untouchable(config.stateDir()).isPresent()) {
      return;
    }
    Created c = readCreated(config.stateDir());
    List<Path> folders = new ArrayList<>();
    for (Path f : c.folders()) {
      if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) && untouchable(f).isEmpty() && !holdsUntouchable(f)) {
        folders.add(f);
      }
    }
    List<String> buckets = new ArrayList<>();
    for (String b : c.buckets()) {
      boolean holds = untouchable.stream().anyMatch(u -> u instanceof StoreLocation.S3 s && s.bucket().equals(b));
      if (!holds && bucketExists(b)) {
        buckets.add(b);
      }
    }
    if (folders.isEmpty() && buckets.isEmpty()) {
      return;
    }
    List<String> names = new ArrayList<>();
    folders.forEach(f -> names.add(f.toString()));
    buckets.forEach(b -> names.add("s3://" + b));
    // folders may hold more, created later by the user: removed only if empty once the rest is gone
    parts.add(new Part("created by cdr launch", String.join(", ", names) + " (removed if nothing else is left in them)", () -> {
      List<String> done = new ArrayList<>();
      List<String> left = new ArrayList<>();
      for (Path f : folders) {
        // a folder inside another one removed before it is gone already
        (!Files.exists(f, LinkOption.NOFOLLOW_LINKS) || emptyTree(f) ? done : left).add(f.toString());
      }
      for (String b : buckets) {
        (deleteBucketIfEmpty(b) ? done : left).add("s3://" + b);
      }
      return (done.isEmpty() ? "" : "removed " + String.join(", ", done))
          + (left.isEmpty() ? "" : (done.isEmpty() ? "" : "; ") + "kept " + String.join(", ", left) + ": not empty");
    }));
  }

  private boolean holdsUntouchable(Path folder) {
    for (StoreLocation u : untouchable) {
      if (u instanceof StoreLocation.Local l && Nesting.real(l.root()).startsWith(Nesting.real(folder))) {
        return true;
      }
    }
    return false;
  }

  /** Deletes a folder made of empty folders only; false (and nothing deleted) if it holds any file. */
  private boolean emptyTree(Path root) throws IOException {
    boolean[] file = {false};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
        file[0] = true;
        return FileVisitResult.TERMINATE;
      }
    });
    if (file[0]) {
      return false;
    }
    List<Path> dirs = new ArrayList<>();
    try (var walk = Files.walk(root)) {
      walk.forEach(dirs::add);
    }
    dirs.sort(java.util.Comparator.reverseOrder());
    for (Path d : dirs) {
      if (!deleteIfEmpty(d)) {
        return false;
      }
    }
    return true;
  }

  private boolean bucketExists(String bucket) {
    try (var client = ObjectStores.accountClient(config.s3())) {
      client.headBucket(r -> r.bucket(bucket));
      return true;
    } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      return e.statusCode() != 404;
    }
  }

  private boolean deleteBucketIfEmpty(String bucket) {
    try (var client = ObjectStores.accountClient(config.s3())) {
      try {
        if (client.listObjectsV2(r -> r.bucket(bucket).maxKeys(1)).keyCount() > 0) {
          return false;
        }
        client.deleteBucket(r -> r.bucket(bucket));
        return true;
      } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
        return true;
      }
    } catch (UncheckedIOException | software.amazon.awssdk.core.exception.SdkException e) {
      return false;
    }
  }

  /** Closes the stores opened for the survey. */
  void close() {
    stores.values().forEach(ObjectStore::close);
  }
}
