package io.cdrpipeline.catalog;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What differs between the databases the catalog runs on: a SQLite file (the embedded default) or
 * PostgreSQL (shared deployments). Chosen once from the JDBC URL.
 */
public sealed interface Dialect permits SqliteDialect, PostgresDialect {
  String SQLITE_PREFIX = "jdbc:sqlite:";
  String POSTGRES_PREFIX = "jdbc:postgresql:";

  /** The dialect of a JDBC URL; empty for a database the catalog does not run on. */
  static Optional<Dialect> find(String jdbcUrl) {
    if (jdbcUrl.startsWith(SQLITE_PREFIX)) {
      return Optional.of(new SqliteDialect(jdbcUrl));
    }
    if (jdbcUrl.startsWith(POSTGRES_PREFIX)) {
      return Optional.of(new PostgresDialect(jdbcUrl));
    }
    return Optional.empty();
  }

  /** The dialect of a JDBC URL; a {@link CatalogException} for any other database. */
  static Dialect of(String jdbcUrl) {
    return find(jdbcUrl)
        .orElseThrow(
            () ->
                new CatalogException(
                    "unsupported catalog URL '"
                        + Database.redact(jdbcUrl)
                        + "': use jdbc:sqlite: or jdbc:postgresql:",
                    null));
  }

  /** The JDBC URL. */
  String url();

  /**
   * A data source for the product's own connections, creating what the database needs to be
   * created.
   */
  DataSource newDataSource();

  /** A data source that creates nothing: empty when there is no database at the URL. */
  Optional<DataSource> existingDataSource();

  /**
   * What is wrong with this URL as a configured catalog, as a phrase that names it (such as
   * "'jdbc:sqlite::memory:' is an in-memory database, ..."); empty when it is usable.
   */
  Optional<String> problem();

  /**
   * This dialect with a relative database file resolved against {@code base}; a server's URL is
   * kept.
   */
  Dialect resolve(Path base);

  /**
   * The database file, when the URL names a plain file (not in memory, not a file: URI, no
   * options).
   */
  Optional<Path> file();

  /** The folder for file locks; empty when named locks are the database's own (advisory) locks. */
  Optional<Path> lockFolder();

  /**
   * Quartz's JDBC delegate class for this database, which then keeps the schedules of every machine
   * (clustered); empty where Quartz has no delegate, and schedules live in memory.
   */
  Optional<String> quartzDelegate();

  /** SQL for boolean true in a comparison. */
  String trueLiteral();

  /** A query for the names of the tables and views of the current schema. */
  String tablesQuery();

  /**
   * A query counting the views of the current schema whose lower-case name is the one parameter.
   */
  String viewCountQuery();

  /**
   * SQL for a time as ISO-8601 text in UTC with milliseconds, fixed width (stored heartbeats
   * compare as text): of the database's clock now, or now minus a number of milliseconds given as a
   * parameter.
   */
  String isoNow(boolean minusMillisParameter);

  /** Properties Iceberg's JDBC catalog needs on this database, beyond the URI. */
  Map<String, String> icebergCatalogProperties();

  /**
   * Seconds from a step's start event {@code st} to its end event {@code en} as SQL (their {@code
   * at} columns hold ISO-8601 text): the migrations' {@code ${step_seconds}}.
   */
  String stepSeconds();
}
