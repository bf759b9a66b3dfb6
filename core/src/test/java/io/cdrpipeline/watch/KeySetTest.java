package io.cdrpipeline.watch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeySetTest {
  @Test
  void holdsWhatWasAddedPerSourceAcrossGrowth() {
    KeySet set = new KeySet();
    for (int i = 0; i < 10_000; i++) {
      assertThat(set.add(i % 2, "vc/2026/12/07/" + i + ".json")).isTrue();
    }
    assertThat(set.add(0, "vc/2026/12/07/0.json")).as("again").isFalse();
    assertThat(set.size()).isEqualTo(10_000);
    for (int i = 0; i < 10_000; i++) {
      assertThat(set.contains(i % 2, "vc/2026/12/07/" + i + ".json")).isTrue();
      assertThat(set.contains((i + 1) % 2, "vc/2026/12/07/" + i + ".json"))
          .as("the same key of the other bucket")
          .isFalse();
      assertThat(set.contains(i % 2, "vc/2026/12/08/" + i + ".json")).isFalse();
    }
  }
}
