package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service over a damaged table: one line with the damage and the way back, and the rest of it
 * answering.
 */
class TableDamageApiTest {
  @TempDir Path dir;

  @Test
  void aDeletedManifestIsOneLineAndTheServiceStaysUp() throws Exception {
    try (ConsoleFixture f = new ConsoleFixture(dir, "", "127.0.0.1")) {
      Path manifest;
      try (Stream<Path> s = Files.list(dir.resolve("data/processed/processed_cdrs/metadata"))) {
        manifest =
            s.filter(p -> p.getFileName().toString().matches(".*-m\\d+\\.avro"))
                .max(Comparator.comparing(p -> p.toFile().lastModified()))
                .orElseThrow();
      }
      Files.delete(manifest);

      HttpResponse<String> q =
          f.post("/api/query", "{\"sql\":\"SELECT count(*) AS n FROM processed_cdrs\"}");
      assertThat(q.statusCode()).isEqualTo(503);
      assertThat(ConsoleFixture.json(q).get("error").asText())
          .startsWith("the processed table is damaged: no such file: ")
          .contains(manifest.getFileName().toString())
          .contains("cdr table repair");
      assertThat(f.get("/health").statusCode()).isEqualTo(200);
      assertThat(f.get("/api/executions").statusCode()).isEqualTo(200);
      HttpResponse<String> raw =
          f.post(
              "/api/query",
              "{\"sql\":\"SELECT count(*) AS n FROM amazon_chime_voice_connector_cdrs\"}");
      assertThat(raw.statusCode()).as(raw.body()).isEqualTo(200);
    }
  }
}
