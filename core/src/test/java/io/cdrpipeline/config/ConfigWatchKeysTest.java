package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code watch:} block: off unless enabled, every 5 minutes unless said. */
class ConfigWatchKeysTest {
  @TempDir Path dir;

  Config load(String yaml) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void watchIsOffEveryFiveMinutesUnlessSaid() throws Exception {
    assertThat(load("").watch()).isEqualTo(WatchSettings.DEFAULTS);
    assertThat(load("").watch().enabled()).isFalse();
    assertThat(load("").watch().interval()).isEqualTo(Duration.ofMinutes(5));
    WatchSettings w = load("watch:\n  enabled: true\n  interval: 90s\n").watch();
    assertThat(w.enabled()).isTrue();
    assertThat(w.interval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(load("watch: {enabled: true}\n").watch().interval())
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void badWatchKeysAreOneLineNamingTheKey() {
    assertThatThrownBy(() -> load("watch: {enabled: yes please}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad value for 'watch.enabled'")
        .hasMessageContaining("expected true or false");
    assertThatThrownBy(() -> load("watch: {interval: 500ms}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'watch.interval'")
        .hasMessageContaining("out of range (1s to 1d)");
    assertThatThrownBy(() -> load("watch: {interval: soon}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'watch.interval'");
    assertThatThrownBy(() -> load("watch: {intervall: 5m}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'watch.intervall'");
  }
}
