package io.cdrpipeline.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
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
    c1.ensureTable(new CatalogTable("t", "/x", "json", java.util.List.of("a")));
    Catalog c2 = new Catalog(Database.open(url));
    assertThat(c2.table("t")).map(CatalogTable::location).contains("/x");
  }

  @Test
  void anUnreachableDatabaseIsAClearError() {
    assertThatThrownBy(() -> Database.open("jdbc:postgresql://127.0.0.1:1/nope?connectTimeout=2"))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("cannot open the catalog");
  }
}
