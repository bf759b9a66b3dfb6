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

/**
 * The keys of the HTTP API: {@code query.apiTimeout}, {@code query.apiRowLimit}, {@code
 * server.token}.
 */
class ConfigApiKeysTest {
  @TempDir Path dir;

  Config load(String yaml) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void defaultsAreOneMinuteTenThousandRowsAndNoToken() throws Exception {
    Config c = load("");
    assertThat(c.apiQuery().timeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.apiQuery().timeout()).isLessThan(c.query().timeout());
    assertThat(c.apiQuery().rowLimit()).isEqualTo(10_000);
    assertThat(c.server().token()).isEmpty();
    assertThat(Config.defaults(dir).apiQuery()).isEqualTo(ApiQueryLimits.DEFAULTS);
  }

  @Test
  void everyKeyIsRead() throws Exception {
    Config c =
        load(
            "query:\n  apiTimeout: 5s\n  apiRowLimit: 250\nserver:\n  host: 0.0.0.0\n  token: 0123456789abcdef0123\n");
    assertThat(c.apiQuery()).isEqualTo(new ApiQueryLimits(Duration.ofSeconds(5), 250));
    assertThat(c.server().token()).contains("0123456789abcdef0123");
    assertThat(c.server().toString()).doesNotContain("0123456789abcdef0123");
  }

  @Test
  void resultsHeldInMemoryAndQueriesAtOnceAreBounded() throws Exception {
    Config d = load("");
    assertThat(d.query().resultBytes()).isEqualTo(32_000_000L);
    assertThat(d.apiQuery().concurrency()).isEmpty(); // as the machine allows
    Config c = load("query:\n  resultLimit: 4MB\n  apiConcurrency: 3\n");
    assertThat(c.query().resultBytes()).isEqualTo(4_000_000L);
    assertThat(c.apiQuery().concurrency()).hasValue(3);
  }

  @Test
  void aShortCliTimeoutShortensTheDefaultApiTimeout() throws Exception {
    assertThat(load("query:\n  timeout: 20s\n").apiQuery().timeout())
        .isEqualTo(Duration.ofSeconds(20));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "query:\\n  apiTimeout: soon|query.apiTimeout",
        "query:\\n  apiTimeout: 0s|query.apiTimeout",
        "query:\\n  timeout: 1m\\n  apiTimeout: 2m|query.apiTimeout",
        "query:\\n  apiRowLimit: 0|query.apiRowLimit",
        "query:\\n  apiRowLimit: 1000001|query.apiRowLimit",
        "query:\\n  apiRowLimit: many|query.apiRowLimit",
        "query:\\n  resultLimit: 10KB|query.resultLimit",
        "query:\\n  resultLimit: 2GB|query.resultLimit",
        "query:\\n  resultLimit: lots|query.resultLimit",
        "query:\\n  apiConcurrency: 0|query.apiConcurrency",
        "query:\\n  apiConcurrency: 65|query.apiConcurrency",
        "server:\\n  token: short|server.token",
        "server:\\n  token: 'has a space in it, sixteen+'|server.token",
        "server:\\n  token: ''|server.token"
      })
  void mistakesNameTheKey(String yaml, String key) {
    assertThatThrownBy(() -> load(yaml.replace("\\n", "\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
