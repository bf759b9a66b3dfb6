package io.cdrpipeline.query;

import io.cdrpipeline.duckdb.DuckDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Confines a statement's database to what its views read, by DuckDB's own settings: only those
 * files and folders, no external access, the temporary space bounded, the configuration locked.
 */
final class Sandbox {
  private Sandbox() {}

  /**
   * From here on this statement's database reads exactly what its views read (each file, or a day
   * folder holding nothing but files, by its real path), nothing else, and no statement can change
   * that. A link anywhere (in the bucket, in a day folder, as a folder) is never among them, so no
   * path through a link is readable: DuckDB compares the paths as written.
   */
  static void confine(Connection duck, ReadablePaths readable, QueryLimits limits)
      throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute("SET max_temp_directory_size = '" + limits.maxTempBytes() + "B'");
      s.execute("SET allowed_directories = " + list(readable.folders));
      s.execute("SET allowed_paths = " + list(readable.files));
      s.execute("SET enable_external_access = false");
      s.execute("SET lock_configuration = true");
    }
  }

  private static String list(Set<String> items) {
    return items.isEmpty()
        ? "[]::VARCHAR[]"
        : "[" + items.stream().map(DuckDb::literal).collect(Collectors.joining(", ")) + "]";
  }
}
