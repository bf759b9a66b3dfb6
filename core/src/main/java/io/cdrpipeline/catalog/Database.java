package io.cdrpipeline.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The catalog database (SQLite file by default, PostgreSQL for shared deployments), migrated
 * by Flyway on open. Hands out short-lived connections.
 */
public final class Database {
  private final String url;
  private final DataSource dataSource;

  private Database(String url, DataSource dataSource) {
    this.url = url;
    this.dataSource = dataSource;
  }

  /** Opens (creating if needed) and migrates the database at a JDBC URL. */
  public static Database open(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    DataSource ds;
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      String file = jdbcUrl.substring("jdbc:sqlite:".length());
      if (!file.isEmpty() && !file.startsWith(":") && !file.startsWith("file:")) {
        try {
          Path parent = Path.of(file).toAbsolutePath().getParent();
          if (parent != null) {
            Files.createDirectories(parent);
          }
        } catch (IOException e) {
          throw new CatalogException("cannot create the folder of the catalog " + file + ": " + e.getMessage(), e);
        }
      }
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      config.setBusyTimeout(60_000);
      // take the write lock at BEGIN: a transaction that reads then writes would otherwise fail
      // at once (not wait) when another process wrote in between
      config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      SQLiteDataSource sqlite = new SQLiteDataSource(config);
      sqlite.setUrl(jdbcUrl);
      ds = sqlite;
    } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      PGSimpleDataSource pg = new PGSimpleDataSource();
      pg.setUrl(jdbcUrl);
      ds = pg;
    } else {
      throw new CatalogException("unsupported catalog URL '" + jdbcUrl + "': use jdbc:sqlite: or jdbc:postgresql:", null);
    }
    if (upToDate(ds)) {
      return new Database(jdbcUrl, ds);
    }
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/migration")
          .table("cdr_schema_history")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new CatalogException("cannot open the catalog at " + redact(jdbcUrl) + ": " + rootMessage(e), e);
    }
    return new Database(jdbcUrl, ds);
  }

  /**
   * The newest migration under {@code db/migration}; a test keeps it in step with the files.
   * Opening a database already at this version skips Flyway, which costs a noticeable part of
   * a short command's start-up.
   */
  public static final int LATEST_MIGRATION = 8;

  private static boolean upToDate(DataSource ds) {
    try (Connection c = ds.getConnection();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(
            "SELECT version FROM cdr_schema_history WHERE success = " + (ds instanceof SQLiteDataSource ? "1" : "true"))) {
      int max = 0;
      while (rs.next()) {
        String v = rs.getString(1);
        if (v != null && v.matches("\\d+")) {
          max = Math.max(max, Integer.parseInt(v));
        }
      }
      return max == LATEST_MIGRATION;
    } catch (SQLException e) {
      return false; // no history yet: let Flyway create it
    }
  }

  /** A new connection; the caller closes it. */
  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public String url() {
    return url;
  }

  public boolean isPostgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  /** The SQLite file, or null for other databases. */
  public Path sqliteFile() {
    if (!url.startsWith("jdbc:sqlite:")) {
      return null;
    }
    String f = url.substring("jdbc:sqlite:".length());
    return f.isEmpty() || f.startsWith(":") ? null : Path.of(f).toAbsolutePath();
  }

  /** The URL without a password, for messages. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
