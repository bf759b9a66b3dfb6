package io.cdrpipeline.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  @TempDir Path tmp;

  @Test
  void latestMigrationConstantMatchesTheMigrationFiles() throws Exception {
    URI uri = Database.class.getResource("/db/migration").toURI();
    int max = 0;
    FileSystem fs = uri.getScheme().equals("jar") ? FileSystems.newFileSystem(uri, Map.of()) : null;
    try (Stream<Path> files = Files.list(fs == null ? Path.of(uri) : fs.getPath("/db/migration"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String n = f.getFileName().toString();
        if (n.matches("V\\d+__.*\\.sql")) {
          max = Math.max(max, Integer.parseInt(n.substring(1, n.indexOf("__"))));
        }
      }
    }
    assertThat(Database.LATEST_MIGRATION).isEqualTo(max);
  }

  @Test
  void opensTwiceAndKeepsData() {
    String url = "jdbc:sqlite:" + tmp.resolve("state/catalog.db");
    Catalog c1 = new Catalog(Database.open(url));
    c1.ensureTable(new CatalogTable("t", "/x", "json", List.of("a")));
    Catalog c2 = new Catalog(Database.open(url));
    assertThat(c2.table("t")).map(CatalogTable::location).contains("/x");
  }

  @Test
  void theMigrationsTablesAreEveryTableOfAFreshCatalog() {
    Database db = Database.open("jdbc:sqlite:" + tmp.resolve("fresh.db"));
    assertThat(Database.migrationTables())
        .containsExactlyInAnyOrderElementsOf(db.tables())
        .contains("executions", "quarantine", "processed_days", Database.HISTORY_TABLE);
  }

  @Test
  void openingAsItIsCreatesNothingAndDroppingTouchesOnlyTheNamedTables() throws Exception {
    Path missing = tmp.resolve("none/catalog.db");
    assertThat(Database.openExisting("jdbc:sqlite:" + missing)).isEmpty();
    assertThat(tmp.resolve("none")).doesNotExist();
    String url = "jdbc:sqlite:" + tmp.resolve("shared.db");
    Database.open(url);
    Database db = Database.openExisting(url).orElseThrow();
    try (var c = db.connection();
        var s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id INTEGER)");
      s.execute("INSERT INTO orders VALUES (1)");
      s.execute("CREATE VIEW order_ids AS SELECT id FROM orders");
    }
    db.dropTables(List.of("executions", "order_ids", "no_such_table"));
    assertThat(db.tables())
        .doesNotContain("executions", "order_ids")
        .contains("orders", "quarantine");
    assertThat(db.rows("orders")).isEqualTo(1);
    db.dropTables(Database.migrationTables());
    assertThat(db.tables()).containsExactly("orders");
    assertThatThrownBy(() -> db.dropTables(List.of("orders; DROP TABLE x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnreachableDatabaseIsAClearError() {
    assertThatThrownBy(() -> Database.open("jdbc:postgresql://127.0.0.1:1/nope?connectTimeout=2"))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("cannot open the catalog");
  }
}
