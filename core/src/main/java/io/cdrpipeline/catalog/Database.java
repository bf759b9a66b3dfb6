package io.cdrpipeline.catalog;

import io.cdrpipeline.failure.FailureText;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The catalog database (SQLite file by default, PostgreSQL for shared deployments), migrated by
 * Flyway on open. Hands out short-lived connections.
 */
public final class Database {
  private final Dialect dialect;
  private final DataSource dataSource;

  /** A database as it is, through a data source the caller made: nothing is created or migrated. */
  static Database of(String url, DataSource dataSource) {
    return new Database(
        Dialect.of(Objects.requireNonNull(url, "url is null")),
        Objects.requireNonNull(dataSource, "dataSource is null"));
  }

  private Database(Dialect dialect, DataSource dataSource) {
    this.dialect = dialect;
    this.dataSource = dataSource;
  }

  /** Opens (creating if needed) and migrates the database at a JDBC URL. */
  public static Database open(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Dialect dialect = Dialect.of(jdbcUrl);
    DataSource ds = dialect.newDataSource();
    if (upToDate(dialect, ds)) {
      return new Database(dialect, ds);
    }
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/migration")
          .table(HISTORY_TABLE)
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .placeholders(Map.of("step_seconds", dialect.stepSeconds()))
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new CatalogException(
          "cannot open the catalog at " + redact(jdbcUrl) + ": " + FailureText.rootMessage(e), e);
    }
    return new Database(dialect, ds);
  }

  /**
   * The newest migration under {@code db/migration}; a test keeps it in step with the files.
   * Opening a database already at this version skips Flyway, which costs a noticeable part of a
   * short command's start-up.
   */
  public static final int LATEST_MIGRATION = 11;

  private static boolean upToDate(Dialect dialect, DataSource ds) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version FROM "
                    + HISTORY_TABLE
                    + " WHERE success = "
                    + dialect.trueLiteral())) {
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

  /** The table in which Flyway records the product's migrations. */
  public static final String HISTORY_TABLE = "cdr_schema_history";

  /**
   * The database at a URL as it is, without creating or migrating anything: empty for a SQLite file
   * that does not exist. For looking at (or removing) what the product made.
   */
  public static Optional<Database> openExisting(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl is null");
    Dialect dialect = Dialect.of(jdbcUrl);
    return dialect.existingDataSource().map(ds -> new Database(dialect, ds));
  }

  private static final Pattern CREATES =
      Pattern.compile(
          "(?i)\\bCREATE\\s+(?:TABLE|VIEW)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?\"?([A-Za-z_][A-Za-z0-9_]*)\"?");

  /**
   * The tables (and views) the product's migrations create, read from the migration files
   * themselves so that a new migration's tables are known without a list to keep, followed by
   * Flyway's history table.
   */
  public static List<String> migrationTables() {
    Set<String> names = new LinkedHashSet<>();
    try {
      URI uri = Database.class.getResource("/db/migration").toURI();
      FileSystem jar = null;
      if (uri.getScheme().equals("jar")) {
        try {
          jar = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          jar = FileSystems.getFileSystem(uri);
        }
      }
      Path dir = jar == null ? Path.of(uri) : jar.getPath("/db/migration");
      List<Path> scripts = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        files
            .filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
            .forEach(scripts::add);
      }
      scripts.sort(
          Comparator.comparingInt(
              f -> Integer.parseInt(f.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1"))));
      for (Path script : scripts) {
        Matcher m = CREATES.matcher(Files.readString(script).replaceAll("(?m)--.*$", ""));
        while (m.find()) {
          names.add(m.group(1).toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      throw new CatalogException("cannot read the catalog's migrations: " + e.getMessage(), e);
    }
    names.add(HISTORY_TABLE);
    return List.copyOf(names);
  }

  /**
   * The tables of this database's schema (SQLite: the file; PostgreSQL: the current schema), lower
   * case.
   */
  public Set<String> tables() {
    String sql = dialect.tablesQuery();
    Set<String> out = new TreeSet<>();
    try (Connection c = connection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1).toLowerCase(Locale.ROOT));
      }
    } catch (SQLException e) {
      throw new CatalogException(
          "cannot list the tables of the catalog at "
              + redact(url())
              + ": "
              + FailureText.rootMessage(e),
          e);
    }
    return out;
  }

  /** The number of rows of a table of this database. */
  public long rows(String table) {
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a table name: '" + table + "'");
    }
    try (Connection c = connection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new CatalogException(
          "cannot count the rows of " + table + ": " + FailureText.rootMessage(e), e);
    }
  }

  /**
   * Drops these tables (and views) where they exist, in one transaction; nothing else of the
   * database is touched.
   */
  public void dropTables(List<String> names) {
    Set<String> present = tables();
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String t : names) {
          if (!t.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("not a table name: '" + t + "'");
          }
          if (present.contains(t.toLowerCase(Locale.ROOT))) {
            s.execute((isView(c, t) ? "DROP VIEW " : "DROP TABLE ") + t);
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new CatalogException(
          "cannot drop the product's tables at "
              + redact(url())
              + ": "
              + FailureText.rootMessage(e),
          e);
    }
  }

  private boolean isView(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dialect.viewCountQuery())) {
      ps.setString(1, name.toLowerCase(Locale.ROOT));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
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
    return dialect.url();
  }

  /** What differs between SQLite and PostgreSQL for this database. */
  public Dialect dialect() {
    return dialect;
  }

  /** The URL without a password, for messages. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
