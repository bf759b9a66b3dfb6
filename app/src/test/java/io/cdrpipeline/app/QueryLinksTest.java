package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.report.LinkSigner;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query sandbox follows no link out: links planted in the CDR bucket (to the link secret, to
 * the state folder, in the bucket's {@code json} folder or in a day folder) and in the processed
 * table's folder are unreadable through {@code cdr query} and {@code POST /api/query}, and no byte
 * of what they point at appears in any output.
 */
class QueryLinksTest {
  static final String SECRET_TEXT = "TOP-SECRET-do-not-leak-7f3a";

  @TempDir static Path dir;
  static ConsoleFixture f;
  static Path state;
  static List<String> secrets = new ArrayList<>();
  static List<String> attacks;
  static String rawCount;

  @BeforeAll
  static void plantLinks() throws Exception {
    f = new ConsoleFixture(dir, "", "127.0.0.1");
    state = f.ctx.config().stateDir();
    LinkSigner.fromStateDir(state);
    byte[] key = Files.readAllBytes(state.resolve(LinkSigner.SECRET_FILE));
    Files.writeString(state.resolve("notes.txt"), SECRET_TEXT);
    secrets.add(SECRET_TEXT);
    secrets.add(HexFormat.of().formatHex(key, 0, 8));
    secrets.add(HexFormat.of().withUpperCase().formatHex(key, 0, 8));
    secrets.add(Base64.getEncoder().encodeToString(key).substring(0, 12));
    StringBuilder escaped = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      escaped.append(String.format("\\x%02X", key[i]));
    }
    secrets.add(escaped.toString());

    rawCount =
        cdr(
                "query",
                "--format",
                "csv",
                "SELECT count(*) AS n FROM amazon_chime_voice_connector_cdrs")
            .out();
    Path json = f.cdrRoot();
    String connector;
    try (var connectors = Files.list(json)) {
      connector = connectors.findFirst().orElseThrow().getFileName().toString();
    }
    Path day =
        dir.resolve("data/cdr-bucket")
            .resolve(RawLayout.dayPrefix(connector, ConsoleFixture.DAYS.get(0)));
    Path table = f.ctx.processedStore().localPath("processed_cdrs").orElseThrow();
    Files.createSymbolicLink(json.resolve("leak"), state.resolve(LinkSigner.SECRET_FILE));
    Files.createSymbolicLink(json.resolve("notes"), state.resolve("notes.txt"));
    Files.createSymbolicLink(json.resolve("statelink"), state);
    Files.createSymbolicLink(day.resolve("leak-in-a-day"), state.resolve("notes.txt"));
    Files.createSymbolicLink(table.resolve("leak"), state.resolve("notes.txt"));
    attacks =
        List.of(
            "SELECT * FROM read_blob('" + json.resolve("leak") + "')",
            "SELECT content FROM read_text('" + json.resolve("notes") + "')",
            "SELECT * FROM glob('" + json.resolve("statelink") + "/*')",
            "SELECT * FROM read_blob('" + json.resolve("statelink/catalog.db") + "')",
            "SELECT * FROM read_text('" + json.resolve("statelink/notes.txt") + "')",
            // with the raw table named, so its day folders are readable for this statement
            "SELECT content FROM read_text('"
                + day.resolve("leak-in-a-day")
                + "'), amazon_chime_voice_connector_cdrs LIMIT 1",
            "SELECT count(*), any_value(c.content) FROM amazon_chime_voice_connector_cdrs, read_text('"
                + json.resolve("notes")
                + "') c",
            "SELECT * FROM glob('"
                + day
                + "/*'), amazon_chime_voice_connector_cdrs WHERE file LIKE '%leak%'",
            // with the processed table named, so its files are readable for this statement
            "SELECT content FROM read_text('"
                + table.resolve("leak")
                + "'), processed_cdrs LIMIT 1",
            "SELECT * FROM glob('" + table + "/*'), processed_cdrs LIMIT 1");
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  static CliRun cdr(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = dir.resolve("cdr.yaml").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRun.in(dir, new HashMap<>(), all);
  }

  static void noSecretIn(String what, String text) {
    for (String s : secrets) {
      assertThat(text).as(what).doesNotContain(s);
    }
  }

  @Test
  void aPlantedLinkIsUnreadableThroughCdrQuery() {
    List<String> read = new ArrayList<>();
    for (String sql : attacks) {
      for (String format : List.of("table", "csv", "json")) {
        CliRun r = cdr("query", "--format", format, sql);
        noSecretIn(sql, r.out() + r.err());
        if (r.code() != 1 || !r.out().isEmpty() || r.err().strip().lines().count() != 1) {
          read.add(
              format
                  + " "
                  + sql
                  + " -> exit "
                  + r.code()
                  + ", out "
                  + r.out()
                  + ", err "
                  + r.err());
        } else {
          assertThat(r.err()).as(sql).startsWith("error: ").contains("Permission Error");
        }
      }
    }
    assertThat(read).as("statements that read through a link").isEmpty();
  }

  @Test
  void aPlantedLinkIsUnreadableThroughTheApi() throws Exception {
    List<String> read = new ArrayList<>();
    for (String sql : attacks) {
      for (String format : List.of("json", "csv")) {
        HttpResponse<String> r =
            f.post(
                "/api/query",
                ConsoleFixture.JSON
                    .createObjectNode()
                    .put("sql", sql)
                    .put("format", format)
                    .toString());
        noSecretIn(sql, r.body());
        if (r.statusCode() != 400) {
          read.add(format + " " + sql + " -> " + r.statusCode() + " " + r.body());
        } else {
          assertThat(ConsoleFixture.json(r).get("error").asText())
              .as(sql)
              .contains("Permission Error")
              .doesNotContain("\n");
        }
      }
    }
    assertThat(read).as("statements that read through a link").isEmpty();
  }

  @Test
  void theTablesStillReadEveryFileAndNoLink() throws Exception {
    long calls = (long) ConsoleFixture.CALLS * ConsoleFixture.DAYS.size();
    assertThat(cdr("query", "--format", "csv", "SELECT count(*) AS n FROM processed_cdrs").out())
        .isEqualTo("n\n" + calls + "\n");
    assertThat(rawCount).matches("n\n[1-9]\\d*\n");
    CliRun raw =
        cdr(
            "query",
            "--format",
            "csv",
            "SELECT count(*) AS n FROM amazon_chime_voice_connector_cdrs");
    assertThat(raw.out())
        .as(raw.err())
        .isEqualTo(rawCount); // what it read before the links were planted
    CliRun links =
        cdr(
            "query",
            "--format",
            "csv",
            "SELECT count(*) AS n FROM amazon_chime_voice_connector_cdrs "
                + "WHERE source_key LIKE '%leak%'");
    assertThat(links.out()).as(links.err()).isEqualTo("n\n0\n");
    HttpResponse<String> api =
        f.post("/api/query", "{\"sql\":\"SELECT count(*) AS n FROM processed_cdrs\"}");
    assertThat(ConsoleFixture.json(api).get("rows").get(0).get(0).asLong()).isEqualTo(calls);
  }
}
