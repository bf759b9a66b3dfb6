package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code query:} block: limits of one query. */
class ConfigQueryKeysTest {
  @TempDir Path dir;

  Config load(String yaml) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void defaultsAreTenMinutesTheEtlMemoryAndTenGigabytesOfTemporaryFiles() throws Exception {
    Config c = load("");
    assertThat(c.query().timeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.query().memoryBytes()).isEqualTo(1_000_000_000L); // etlMemoryLimit's default, 1GB
    assertThat(c.query().maxTempBytes()).isEqualTo(10L << 30);
    assertThat(load("etlMemoryLimit: 2GB\n").query().memoryBytes()).isEqualTo(2_000_000_000L);
  }

  @Test
  void withoutAConfigFileTheQueryLimitsAreThoseOfAnEmptyOne() throws Exception {
    Config none = Config.defaults(dir.resolve("data"));
    Config empty = load("");
    assertThat(none.query()).isEqualTo(empty.query());
    assertThat(none.etlMemoryLimit()).isEqualTo(empty.etlMemoryLimit());
  }

  @Test
  void everyKeyIsRead() throws Exception {
    Config c = load("query:\n  timeout: 90s\n  memoryLimit: 256MiB\n  maxTempSize: 1GB\n");
    assertThat(c.query().timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.query().memoryBytes()).isEqualTo(256L << 20);
    assertThat(c.query().maxTempBytes()).isEqualTo(1_000_000_000L);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "query:\\n  timeout: soon|query.timeout",
        "query:\\n  timeout: 0s|query.timeout",
        "query:\\n  memoryLimit: lots|query.memoryLimit",
        "query:\\n  memoryLimit: 32MB|query.memoryLimit",
        "query:\\n  maxTempSize: -1GB|query.maxTempSize",
        "query:\\n  rows: 10|query.rows"
      })
  void mistakesNameTheKey(String yaml, String key) {
    assertThatThrownBy(() -> load(yaml.replace("\\n", "\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
