package io.cdrpipeline.testing;

import java.nio.file.Path;
import java.util.List;

/**
 * The statements a hostile user tried against {@code cdr query} (the attack reports), and the older
 * list of what must never run: each must be refused, and nothing on disk or in the catalog may
 * change.
 */
public final class QueryAttacks {
  private QueryAttacks() {}

  /**
   * The statements, aimed at a deployment whose config folder is {@code dir}, state folder {@code
   * state}, processed bucket {@code root}, with a committed data file {@code parquet}.
   */
  public static List<String> statements(Path dir, Path state, Path root, Path parquet) {
    return List.of(
        "EXPLAIN (ANALYZE) COPY (SELECT 43) TO 'x1.csv'",
        "EXPLAIN ANALYZE COPY (SELECT 43) TO 'x1b.csv'",
        "/* /* */ SELECT 1 */ COPY (SELECT 42) TO 'x2.csv'",
        "/* /* */ SELECT 1 */ ATTACH 'x3.duckdb' AS x",
        "WITH x AS (SELECT 1) UPDATE cdrs.quarantined_cdrs SET reason='hacked' RETURNING reason",
        "SELECT * FROM read_text('/etc/shadow')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('" + state + "/link-secret')",
        "SELECT * FROM read_text('" + dir.resolve("cdr.yaml") + "')",
        "SELECT * FROM read_blob('" + state + "/catalog.db')",
        "SELECT * FROM read_blob('" + root + "/processed_cdrs/../../state/link-secret')",
        "SELECT * FROM read_text('../cdr.yaml')",
        "SELECT * FROM read_text('file://" + state + "/link-secret')",
        "EXPLAIN (ANALYZE) COPY (SELECT 7 AS x) TO '" + parquet + "' (FORMAT parquet)",
        "COPY processed_cdrs TO 'x4.csv'",
        "COPY (SELECT 1) TO '" + parquet + "'",
        "EXPORT DATABASE '" + dir.resolve("export") + "'",
        "IMPORT DATABASE '" + dir.resolve("export") + "'",
        "ATTACH '" + dir.resolve("x5.duckdb") + "' AS y",
        "ATTACH ':memory:' AS m",
        "DETACH memory",
        "INSTALL httpfs",
        "LOAD json",
        "SET threads = 1",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
        "RESET lock_configuration",
        "PRAGMA version",
        "PRAGMA enable_profiling",
        "CALL pragma_version()",
        "CREATE TABLE t (a INTEGER)",
        "CREATE OR REPLACE VIEW processed_cdrs AS SELECT 1 AS a",
        "DROP VIEW cdrs.processed_cdrs",
        "ALTER VIEW processed_cdrs RENAME TO p",
        "INSERT INTO cdrs.quarantined_cdrs (source_key, reason) VALUES ('x', 'y')",
        "UPDATE quarantined_cdrs SET reason = 'x'",
        "DELETE FROM quarantined_cdrs",
        "TRUNCATE quarantined_cdrs",
        "BEGIN TRANSACTION",
        "CHECKPOINT",
        "VACUUM",
        "USE memory",
        "PREPARE p AS SELECT 1",
        "SET VARIABLE v = 1",
        "SELECT 1; COPY (SELECT 1) TO 'x6.csv'",
        "SELECT 1; SELECT 2",
        "EXPLAIN SELECT 1; DROP VIEW processed_cdrs",
        "SELECT * FROM query('COPY (SELECT 1) TO ''x7.csv''')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        "SELECT * FROM parquet_metadata('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM glob('" + state + "/*')",
        "SELECT * FROM read_json_auto('" + state + "/*')",
        "SELECT * FROM duckdb_extensions()",
        "   ",
        "-- nothing but a comment");
  }
}
