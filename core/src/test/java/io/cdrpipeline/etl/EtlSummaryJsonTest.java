package io.cdrpipeline.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.workflow.LocalPipelineActions;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one JSON form of an ETL run: what a workflow step reports and what the Spark job prints. */
class EtlSummaryJsonTest {
  static final EtlSummary RUN =
      new EtlSummary(
          "20261102T090000-1a2b3c4d",
          List.of(
              new DaySummary(
                  LocalDate.of(2026, 11, 1),
                  false,
                  1500,
                  1490,
                  10,
                  1_234_567,
                  98_765,
                  Duration.ofMillis(2345),
                  "/data/processed/processed_cdrs/data/year=2026/month=11/day=1/"),
              new DaySummary(LocalDate.of(2026, 11, 2), true, 0, 0, 0, 0, 0, Duration.ZERO, null)),
          Duration.ofMillis(3456));

  @Test
  void readsBackWhatItWrites() throws Exception {
    String line = new ObjectMapper().writeValueAsString(RUN.toJson());
    EtlSummary back = EtlSummary.fromJson(new ObjectMapper().readTree(line));
    assertThat(back).isEqualTo(RUN);
    assertThat(back.daysProcessed()).isEqualTo(1);
    assertThat(back.daysSkipped()).isEqualTo(1);
  }

  @Test
  void theWorkflowStepReportsTheTotalsUnderTheirNames() {
    ObjectNode step = LocalPipelineActions.etl(RUN);
    assertThat(step.toString())
        .isEqualTo(
            "{\"runId\":\"20261102T090000-1a2b3c4d\",\"daysProcessed\":1,\"daysSkipped\":1,"
                + "\"filesRead\":1500,\"rowsWritten\":1490,\"rejected\":10,\"seconds\":3.456}");
  }

  @Test
  void somethingElseIsRefusedNamingIt() throws Exception {
    assertThat(
            EtlSummary.fromJson(
                    new ObjectMapper().readTree("{\"runId\":\"r\",\"daysProcessed\":0}"))
                .days())
        .isEmpty();
    assertThatThrownBy(() -> EtlSummary.fromJson(new ObjectMapper().readTree("{\"rows\":1}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an ETL summary");
    assertThatThrownBy(
            () ->
                EtlSummary.fromJson(
                    new ObjectMapper().readTree("{\"runId\":\"r\",\"days\":[{\"day\":\"x\"}]}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x' is not a date");
  }
}
