package io.cdrpipeline.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteOpenMode;

/** A SQLite catalog: one file on this machine, the embedded default. */
public record SqliteDialect(String url) implements Dialect {
  private static final String ISO_TEXT = "strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', %s)";

  /** Wait this long for another writer (another process) instead of failing at once. */
  private static final int BUSY_TIMEOUT_MILLIS = 60_000;

  /** What follows {@code jdbc:sqlite:}: a file name, {@code :memory:} or a {@code file:} URI. */
  public String location() {
    return url.substring(SQLITE_PREFIX.length());
  }

  @Override
  public DataSource newDataSource() {
    String file = location();
    if (!file.isEmpty() && !file.startsWith(":") && !file.startsWith("file:")) {
      try {
        Path parent = Path.of(file).toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
      } catch (IOException e) {
        throw new CatalogException(
            "cannot create the folder of the catalog " + file + ": " + e.getMessage(), e);
      }
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    // take the write lock at BEGIN: a transaction that reads then writes would otherwise fail
    // at once (not wait) when another process wrote in between
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource sqlite = new SQLiteDataSource(config);
    sqlite.setUrl(url);
    return sqlite;
  }

  @Override
  public Optional<DataSource> existingDataSource() {
    String file = location();
    if (!file.startsWith("file:")
        && (file.isEmpty() || file.startsWith(":") || !Files.isRegularFile(Path.of(file)))) {
      return Optional.empty();
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.resetOpenMode(SQLiteOpenMode.CREATE); // a missing file stays missing
    SQLiteDataSource sqlite = new SQLiteDataSource(config);
    sqlite.setUrl(url);
    return Optional.of(sqlite);
  }

  /**
   * An in-memory database is refused (every command would start from an empty catalog), as is a
   * folder.
   */
  @Override
  public Optional<String> problem() {
    String path = location();
    String lower = path.toLowerCase(Locale.ROOT);
    if (inMemory()) {
      return Optional.of(
          "'"
              + url
              + "' is an in-memory database, forgotten when the command ends (expected jdbc:sqlite:FILE)");
    }
    if (lower.startsWith(":")) {
      return Optional.of("'" + url + "' (expected jdbc:sqlite:FILE)");
    }
    if (!lower.startsWith("file:") && Files.isDirectory(Path.of(path))) {
      return Optional.of(path + " is a folder, not a database file");
    }
    return Optional.empty();
  }

  private boolean inMemory() {
    String lower = location().toLowerCase(Locale.ROOT);
    return lower.isBlank()
        || lower.startsWith(":memory:")
        || lower.contains("mode=memory")
        || lower.startsWith("file::memory:");
  }

  @Override
  public Dialect resolve(Path base) {
    String path = location();
    if (inMemory() || path.startsWith(":") || path.toLowerCase(Locale.ROOT).startsWith("file:")) {
      return this;
    }
    return new SqliteDialect(SQLITE_PREFIX + base.resolve(path).toAbsolutePath().normalize());
  }

  @Override
  public Optional<Path> file() {
    String f = location();
    if (f.isEmpty() || f.startsWith(":") || f.startsWith("file:") || f.contains("?")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(f).toAbsolutePath().normalize());
  }

  /** Beside the database file; for an in-memory database, in the temporary folder. */
  @Override
  public Optional<Path> lockFolder() {
    String f = location();
    if (f.isEmpty() || f.startsWith(":")) {
      return Optional.of(Path.of(System.getProperty("java.io.tmpdir"), "cdr-locks"));
    }
    return Optional.of(Path.of(f).toAbsolutePath().getParent().resolve("locks"));
  }

  @Override
  public Optional<String> quartzDelegate() {
    return Optional.empty();
  }

  @Override
  public String trueLiteral() {
    return "1";
  }

  @Override
  public String tablesQuery() {
    return "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'";
  }

  @Override
  public String viewCountQuery() {
    return "SELECT count(*) FROM sqlite_master WHERE type = 'view' AND lower(name) = ?";
  }

  @Override
  public String isoNow(boolean minusMillisParameter) {
    return ISO_TEXT.formatted(minusMillisParameter ? "julianday('now') - ? / 86400000.0" : "'now'");
  }

  @Override
  public Map<String, String> icebergCatalogProperties() {
    // as the product's own connections: wait for another writer instead of failing at once
    return Map.of(
        "jdbc.busy_timeout", String.valueOf(BUSY_TIMEOUT_MILLIS), "jdbc.journal_mode", "wal");
  }

  @Override
  public String stepSeconds() {
    return "(julianday(en.at) - julianday(st.at)) * 86400.0";
  }
}
