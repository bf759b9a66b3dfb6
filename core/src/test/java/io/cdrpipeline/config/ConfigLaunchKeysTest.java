package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keys {@code cdr configure} writes for {@code cdr launch} and the server, and where the file
 * is found.
 */
class ConfigLaunchKeysTest {
  @TempDir Path dir;

  Config load(String yaml) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void launchFullEtlIsOffUnlessSaid() throws Exception {
    assertThat(load("").launch().fullEtl()).isFalse();
    assertThat(load("launch: {fullEtl: true}\n").launch().fullEtl()).isTrue();
    assertThat(load("launch:\n  fullEtl: false\n").launch().fullEtl()).isFalse();
    assertThatThrownBy(() -> load("launch: {fullEtl: maybe}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad value for 'launch.fullEtl'")
        .hasMessageContaining("expected true or false");
    assertThatThrownBy(() -> load("launch: {fullETL: true}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'launch.fullETL'");
  }

  @Test
  void theServerTokenIsPrintableAndNeverShown() throws Exception {
    assertThat(load("").server().token()).isEmpty();
    Config c = load("server: {host: 0.0.0.0, port: 8080, token: 'Zk3-_x.9~!s3cret'}\n");
    assertThat(c.server().token()).contains("Zk3-_x.9~!s3cret");
    assertThat(c.server().toString()).doesNotContain("s3cret").contains("token=(set)");
    for (String bad : new String[] {"''", "'two words'", "\"tab\\there\"", "'caf\u00e9'"}) {
      assertThatThrownBy(() -> load("server: {token: " + bad + "}\n"))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("bad value for 'server.token'")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("two words"));
    }
  }

  @Test
  void theCommentedExampleOfTheDocsLoads() throws Exception {
    String page = Files.readString(Path.of("..", "docs", "configuration.md"));
    int at = page.indexOf("A commented `cdr.yaml`");
    assertThat(at).isPositive();
    int start = page.indexOf("```yaml\n", at) + "```yaml\n".length();
    Config c = load(page.substring(start, page.indexOf("```", start)));
    assertThat(c.launch().fullEtl()).isTrue();
    assertThat(c.server().token()).isPresent();
    assertThat(c.additionalCdrBucket()).isPresent();
    assertThat(c.notifications()).hasSize(1);
  }

  @Test
  void withoutAFileNamedTheWorkingFoldersCdrYamlIsRead() throws Exception {
    assertThat(ConfigLoader.file(null, null, dir)).isEmpty();
    assertThat(ConfigLoader.resolve(null, null, dir).source()).isEmpty();
    Files.writeString(dir.resolve("cdr.yaml"), "dailyWorkers: 3\n");
    assertThat(ConfigLoader.resolve(null, null, dir).dailyWorkers()).isEqualTo(3);
    Files.writeString(dir.resolve("other.yaml"), "dailyWorkers: 4\n");
    assertThat(ConfigLoader.resolve(null, dir.resolve("other.yaml").toString(), dir).dailyWorkers())
        .isEqualTo(4);
    assertThat(ConfigLoader.resolve(Path.of("other.yaml"), null, dir).dailyWorkers()).isEqualTo(4);
    Files.delete(dir.resolve("cdr.yaml"));
    Files.createDirectories(dir.resolve("cdr.yaml")); // a folder of that name is not a config file
    assertThat(ConfigLoader.resolve(null, null, dir).dailyWorkers())
        .isEqualTo(Config.DEFAULT_DAILY_WORKERS);
  }
}
