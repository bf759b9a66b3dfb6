package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.app.context.Commands;
import org.junit.jupiter.api.Test;

/**
 * The processes the product starts (background runner, service unit, benchmarks) name the real
 * entry point.
 */
class MainClassTest {
  @Test
  void theNamedMainClassIsTheEntryPoint() {
    assertThat(Commands.MAIN_CLASS).isEqualTo(Main.class.getName());
  }
}
