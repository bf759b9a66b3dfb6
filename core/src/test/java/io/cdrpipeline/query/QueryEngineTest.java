package io.cdrpipeline.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.testing.Pipeline;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryEngineTest {
  @TempDir Path tmp;

  @Test
  void tablesExistBeforeAnyDataWithTheirColumns() {
    Pipeline p = new Pipeline(tmp);
    assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isZero();
    assertThat(p.count("SELECT count(*) FROM cdrs.processed_cdrs")).isZero();
    assertThat(p.count("SELECT count(*) FROM cdrs.quarantined_cdrs")).isZero();
    assertThat(p.count("SELECT count(*) FROM amazon_chime_voice_connector_cdrs")).isZero();
    QueryResult cols = p.sql("DESCRIBE processed_cdrs");
    assertThat(cols.rows().stream().map(r -> r.get(0)).collect(Collectors.toList()))
        .contains("callid", "npanxx", "duration", "hour", "start_time", "year", "month", "day");
  }

  @Test
  void filtersOnPartitionsReadOnlyThoseDays() throws Exception {
    Pipeline p = new Pipeline(tmp);
    CdrGenerator gen = new CdrGenerator(p.cdr);
    for (int d = 1; d <= 3; d++) {
      gen.generate(LocalDate.of(2026, 10, d), 30, 1, d, 0, null);
      p.etl().runDay(LocalDate.of(2026, 10, d), 1);
    }
    String plan = p.sql("EXPLAIN ANALYZE SELECT count(*) FROM processed_cdrs WHERE year = 2026 AND month = 10 AND day = 2")
        .rows().toString();
    assertThat(plan).contains("Scanning Files: 1/3");
    assertThat(p.count("SELECT count(*) FROM processed_cdrs WHERE day = 2")).isEqualTo(30);
  }

  @Test
  void badSqlAndUnknownTablesGiveOneLine() {
    Pipeline p = new Pipeline(tmp);
    assertThatThrownBy(() -> p.sql("SELECT * FROM no_such_table"))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("no_such_table")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(() -> p.sql("SELECT FROM WHERE"))
        .isInstanceOf(QueryException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").containsIgnoringCase("syntax"));
    assertThatThrownBy(() -> p.sql("COPY processed_cdrs TO '/tmp/x.csv'"))
        .isInstanceOf(QueryException.class).hasMessageContaining("read-only");
  }
}
