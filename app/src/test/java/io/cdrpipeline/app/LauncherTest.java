package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code ./cdr} launcher tells which command it starts (it starts the short ones with the quick
 * compiler): its own function, run by bash as the launcher runs it.
 */
class LauncherTest {
  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @CsvSource(
      delimiter = '|',
      value = {
        "query SELECT              | query",
        "--config cdr.yaml report  | report",
        "--config=cdr.yaml -v etl  | etl",
        "-v -v table history       | table",
        "--config                  | ''",
        "--version                 | ''",
        "''                        | ''"
      })
  void theCommandIsTheFirstArgumentThatIsNeitherAnOptionNorTheConfigFile(
      String args, String command) throws Exception {
    String script = Files.readString(Path.of("..", "cdr"));
    int start = script.indexOf("command_name() {");
    String function = script.substring(start, script.indexOf("\n}\n", start) + 3);
    List<String> cmd =
        new ArrayList<>(List.of("bash", "-c", function + "command_name \"$@\"", "cdr"));
    if (!args.isEmpty()) {
      cmd.addAll(List.of(args.split(" +")));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the launcher's loop ends").isTrue();
      assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
          .isEqualTo(command);
    } finally {
      p.destroyForcibly().waitFor();
    }
  }
}
