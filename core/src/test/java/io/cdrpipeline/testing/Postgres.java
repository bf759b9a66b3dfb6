package io.cdrpipeline.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL for tests: a fresh database per call on the server named by {@code
 * CDR_TEST_POSTGRES_URL} (test-all.sh installs and starts one). Without a server the test is
 * skipped on a developer machine but fails under {@code CI=true}.
 */
public final class Postgres {
  private Postgres() {}

  public static String adminUrl() {
    String url = System.getenv("CDR_TEST_POSTGRES_URL");
    return url == null || url.isBlank()
        ? "jdbc:postgresql://127.0.0.1:5432/postgres?user=cdr&password=cdr"
        : url;
  }

  /** The JDBC URL of a new, empty database. */
  public static String freshDatabase() {
    String admin = adminUrl();
    String name = "cdr_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(admin);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      String why = "PostgreSQL is not reachable at " + admin + ": " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(why + " (under CI=true this test must run: run ./test-all.sh)", e);
      }
      Assumptions.abort(why);
    }
    int q = admin.indexOf('?');
    String base = admin.substring(0, admin.lastIndexOf('/', q < 0 ? admin.length() : q) + 1);
    return base + name + (q < 0 ? "" : admin.substring(q));
  }
}
