package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where the product writes is never inside a CDR bucket, whatever writes the config file (the
 * loader refuses it as {@code configure} does), and DuckDB is never given more memory than the
 * machine has.
 */
class ConfigPlacesTest {
  @TempDir Path dir;

  private ConfigException failure(String yaml) throws IOException {
    Path file = dir.resolve("cdr.yaml");
    Files.writeString(file, yaml);
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
    assertThat(e).as("loading %s", yaml).isNotNull();
    assertThat(e.getMessage()).as("one line").doesNotContain("\n");
    return e;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "cdrBucket: cdrs\\nstateDir: cdrs/state                                 | stateDir        | the CDR bucket",
        "cdrBucket: cdrs\\nstateDir: cdrs                                       | stateDir        | the CDR bucket",
        "cdrBucket: cdrs\\nprocessedBucket: cdrs/Amazon-Chime-Voice-Connector-CDRs/json/x | processedBucket | the CDR bucket",
        "cdrBucket: cdrs\\nreportsBucket: ./cdrs/../cdrs/reports                | reportsBucket   | the CDR bucket",
        "cdrBucket: cdrs\\nadditionalCdrBucket: old\\nstateDir: old/state          | stateDir        | the additional CDR bucket",
        "cdrBucket: cdrs\\ntable: {warehouse: cdrs/warehouse}                     | table.warehouse | the CDR bucket",
        "cdrBucket: s3://cdr-in/cdrs\\nprocessedBucket: s3://cdr-in/cdrs/processed | processedBucket | the CDR bucket s3://cdr-in/cdrs",
      })
  void aPlaceTheProductWritesInsideACdrBucketIsRefusedAtLoad(String yaml, String key, String bucket)
      throws IOException {
    ConfigException e = failure(yaml.replace("\\n", "\n") + "\n");
    assertThat(e.getMessage())
        .startsWith("bad value for '" + key + "'")
        .contains("is inside " + bucket)
        .contains("cdr never writes into a CDR bucket");
  }

  @Test
  void aStateFolderReachedThroughALinkIntoTheBucketIsInsideIt() throws IOException {
    Files.createDirectories(dir.resolve("cdrs/hidden"));
    Files.createSymbolicLink(dir.resolve("state-link"), dir.resolve("cdrs/hidden"));
    assertThat(failure("cdrBucket: cdrs\nstateDir: state-link\n").getMessage())
        .startsWith("bad value for 'stateDir'");
  }

  @Test
  void placesBesideTheBucketAreFine() throws IOException {
    Path file = dir.resolve("cdr.yaml");
    Files.writeString(
        file,
        "cdrBucket: cdrs\nstateDir: cdrs-state\nprocessedBucket: out/processed\nreportsBucket: out/reports\n"
            + "additionalCdrBucket: old\n");
    Config c = ConfigLoader.load(file);
    assertThat(c.stateDir()).isEqualTo(dir.resolve("cdrs-state"));
  }

  @Test
  void moreMemoryThanTheMachineHasIsRefused() throws IOException {
    long machine = ResourceKeys.machineMemory();
    assertThat(machine).isPositive().isLessThan(Long.MAX_VALUE);
    String tooMuch = (machine / 1_000_000 + 1000) + "MB";
    for (String yaml :
        new String[] {
          "query:\n  memoryLimit: " + tooMuch + "\n", "etlMemoryLimit: " + tooMuch + "\n"
        }) {
      String key = yaml.startsWith("query") ? "query.memoryLimit" : "etlMemoryLimit";
      assertThat(failure(yaml).getMessage())
          .startsWith("bad value for '" + key + "': '" + tooMuch + "'")
          .contains("more than this machine's memory (" + Sizes.text(machine) + ")");
    }
    Path file = dir.resolve("cdr.yaml");
    Files.writeString(file, "query:\n  memoryLimit: " + (machine / 2) + "B\n");
    assertThat(ConfigLoader.load(file).query().memoryBytes()).isEqualTo(machine / 2);
    // the Spark driver, which may run on a smaller machine, loads it without this machine's check
    Files.writeString(file, "etlMemoryLimit: " + tooMuch + "\n");
    assertThat(ConfigLoader.loadElsewhere(file).etlMemoryLimit()).isEqualTo(tooMuch);
  }
}
