package io.cdrpipeline.config;

import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.catalog.Dialect;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.StoreLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The top-level keys naming places: {@code stateDir}, {@code database}, {@code catalogUrl} and the
 * buckets, with the rule that the product never writes into a CDR bucket.
 */
final class PlaceKeys {
  /** Names DuckDB keeps for itself: a database of that name cannot hold the tables. */
  private static final List<String> RESERVED_DATABASES =
      List.of("memory", "system", "temp", "information_schema", "pg_catalog");

  private PlaceKeys() {}

  /** {@code stateDir}: a folder (or none yet), relative to the config file's folder. */
  static Path stateDir(String raw, Path base, Path dflt, Path file) {
    Path stateDir = raw == null ? dflt : path("stateDir", raw, base);
    if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
      throw new ConfigException(
          "bad value for 'stateDir' in " + file + ": " + stateDir + " is a file, not a folder");
    }
    return stateDir;
  }

  /** {@code database}: the SQL name of the DuckDB database that holds the tables. */
  static String database(String raw, Path file) {
    String database = raw == null ? Config.DEFAULT_DATABASE : raw.trim();
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new ConfigException(
          "bad value for 'database' in "
              + file
              + ": '"
              + raw
              + "' is not a SQL name (letters, digits, underscore; not starting with a digit)");
    }
    if (RESERVED_DATABASES.contains(database.toLowerCase(Locale.ROOT))) {
      throw new ConfigException(
          "bad value for 'database' in "
              + file
              + ": '"
              + database
              + "' is a name DuckDB keeps for itself ("
              + String.join(", ", RESERVED_DATABASES)
              + ")");
    }
    return database;
  }

  /** {@code catalogUrl}: SQLite in the state folder by default, or PostgreSQL. */
  static String catalogUrl(String raw, Path stateDir, Path base, Path file) {
    String catalogUrl = raw == null ? Config.sqliteUrl(stateDir) : raw.trim();
    String givenUrl = catalogUrl;
    Dialect dialect =
        Dialect.find(catalogUrl)
            .orElseThrow(
                () ->
                    new ConfigException(
                        "bad value for 'catalogUrl' in "
                            + file
                            + ": '"
                            + Database.redact(givenUrl)
                            + "' (expected jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB)"));
    if (raw != null) {
      dialect = dialect.resolve(base);
      Optional<String> problem = dialect.problem();
      if (problem.isPresent()) {
        throw new ConfigException("bad value for 'catalogUrl' in " + file + ": " + problem.get());
      }
      catalogUrl = dialect.url();
    }
    return catalogUrl;
  }

  /**
   * Refuses a place the product writes at or inside a CDR bucket: {@code cdr destroy} never changes
   * a CDR bucket, and the query sandbox reads the CDR bucket, so the state folder (the link secret,
   * the catalog) must never be inside it.
   */
  static void outsideCdrBuckets(
      Map<String, StoreLocation> written,
      StoreLocation cdr,
      Optional<StoreLocation> additional,
      Path file) {
    Map<String, StoreLocation> buckets = new LinkedHashMap<>();
    buckets.put("the CDR bucket", cdr);
    additional.ifPresent(a -> buckets.put("the additional CDR bucket", a));
    for (Map.Entry<String, StoreLocation> w : written.entrySet()) {
      for (Map.Entry<String, StoreLocation> b : buckets.entrySet()) {
        if (Nesting.inside(w.getValue(), b.getValue())) {
          throw new ConfigException(
              "bad value for '"
                  + w.getKey()
                  + "' in "
                  + file
                  + ": "
                  + w.getValue().display()
                  + " is inside "
                  + b.getKey()
                  + " "
                  + b.getValue().display()
                  + ": cdr never writes into a CDR bucket; choose a place outside it");
        }
      }
    }
  }

  static StoreLocation location(String key, String value, Path base, StoreLocation dflt) {
    if (value == null) {
      return dflt;
    }
    StoreLocation location;
    try {
      location = StoreLocation.parse(value, base);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("bad value for '" + key + "': " + e.getMessage());
    }
    if (location instanceof StoreLocation.Local local
        && Files.exists(local.root())
        && !Files.isDirectory(local.root())) {
      throw new ConfigException(
          "bad value for '" + key + "': " + local.root() + " is a file, not a folder");
    }
    return location;
  }

  private static Path path(String key, String value, Path base) {
    if (value.isBlank()) {
      throw new ConfigException("bad value for '" + key + "': must not be empty");
    }
    try {
      return base.resolve(value.trim()).toAbsolutePath().normalize();
    } catch (RuntimeException e) {
      throw new ConfigException("bad value for '" + key + "': '" + value + "' is not a path");
    }
  }
}
