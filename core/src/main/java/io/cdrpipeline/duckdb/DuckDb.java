package io.cdrpipeline.duckdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/** Opens embedded, in-memory DuckDB connections with the product's settings. */
public final class DuckDb {
  private DuckDb() {}

  private static volatile CompletableFuture<Void> preloading;

  /**
   * Starts loading DuckDB's native library on a background thread, so that a command which will
   * query overlaps that load (a good part of a short command's time) with its other start-up work.
   * Idempotent; {@link #open} waits for it.
   */
  public static void preload() {
    if (preloading == null) {
      synchronized (DuckDb.class) {
        if (preloading == null) {
          preloading =
              CompletableFuture.runAsync(
                  () -> {
                    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
                      c.isValid(1);
                    } catch (SQLException | RuntimeException e) {
                      // open() reports it
                    }
                  },
                  r -> {
                    Thread t = new Thread(r, "duckdb-preload");
                    t.setDaemon(true);
                    t.start();
                  });
        }
      }
    }
  }

  /**
   * A new in-memory database. {@code memoryLimit} bounds DuckDB's own memory (outside the Java
   * heap); beyond it DuckDB spills to {@code tempDir}.
   */
  public static Connection open(String memoryLimit, Path tempDir, int threads) throws SQLException {
    try {
      Class.forName("org.duckdb.DuckDBDriver");
    } catch (ClassNotFoundException e) {
      throw new SQLException("DuckDB driver missing from the class path", e);
    }
    Properties props = new Properties();
    props.setProperty("duckdb.read_only", "false");
    Connection c = DriverManager.getConnection("jdbc:duckdb:", props);
    try (Statement s = c.createStatement()) {
      if (memoryLimit != null) {
        s.execute("SET memory_limit = '" + memoryLimit.replace("'", "") + "'");
      }
      if (tempDir != null) {
        try {
          Files.createDirectories(tempDir);
        } catch (IOException e) {
          throw new SQLException(
              "cannot create DuckDB temp folder " + tempDir + ": " + e.getMessage(), e);
        }
        s.execute("SET temp_directory = '" + tempDir.toString().replace("'", "''") + "'");
      }
      if (threads > 0) {
        s.execute("SET threads = " + threads);
      }
      s.execute("SET autoinstall_known_extensions = false");
      s.execute("SET autoload_known_extensions = true");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Quotes an identifier for DuckDB SQL. */
  public static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** Quotes a string literal for DuckDB SQL. */
  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
