package io.cdrpipeline.query;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadOnlyGuardTest {

  @ParameterizedTest(name = "allowed: {0}")
  @ValueSource(strings = {
    "SELECT 1",
    "select npanxx, count(*) from cdrs.processed_cdrs group by npanxx",
    "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount\n"
        + "FROM (SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount\n"
        + "      FROM cdrs.processed_cdrs GROUP BY npanxx) GROUP BY npanxx",
    "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
    "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r",
    "FROM cdrs.processed_cdrs",
    "FROM cdrs.processed_cdrs SELECT callid LIMIT 5",
    "DESCRIBE SELECT * FROM cdrs.processed_cdrs",
    "DESC cdrs.processed_cdrs",
    "SHOW TABLES",
    "SHOW ALL TABLES",
    "EXPLAIN SELECT * FROM cdrs.processed_cdrs",
    "EXPLAIN ANALYZE SELECT count(*) FROM cdrs.processed_cdrs",
    "SUMMARIZE SELECT * FROM cdrs.processed_cdrs",
    "VALUES (1, 'a'), (2, 'b')",
    "(SELECT 1) UNION ALL (SELECT 2)",
    "  \n\tSELECT 1",
    "-- the top numbers\nSELECT 1",
    "/* a block\n comment */ SELECT 1",
    "-- one\n/* two */ -- three\nSELECT 1 -- trailing",
    "SELECT 1;",
    "SELECT 1 ;  \n",
    "SELECT 1; -- done",
    "SELECT 1 /* ; DROP TABLE x */",
  })
  void allowsOneReadOnlyStatement(String sql) {
    assertThatCode(() -> ReadOnlyGuard.check(sql)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(strings = {
    "DROP TABLE cdrs.processed_cdrs",
    "drop view processed_cdrs",
    "COPY (SELECT * FROM cdrs.processed_cdrs) TO '/tmp/out.csv'",
    "COPY cdrs.processed_cdrs TO '/tmp/out.parquet' (FORMAT parquet)",
    "ATTACH '/tmp/other.db' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET memory_limit = '100GB'",
    "RESET memory_limit",
    "PRAGMA enable_profiling",
    "CREATE TABLE t AS SELECT 1",
    "CREATE OR REPLACE VIEW processed_cdrs AS SELECT 1",
    "INSERT INTO t VALUES (1)",
    "UPDATE t SET x = 1",
    "DELETE FROM t",
    "ALTER TABLE t ADD COLUMN y INT",
    "EXPORT DATABASE '/tmp/x'",
    "CALL pragma_version()",
    "USE other",
    "DETACH other",
    "EXPLAIN DROP TABLE t",
    "EXPLAIN ANALYZE DROP TABLE t",
    "EXPLAIN COPY t TO '/tmp/x.csv'",
    "DESCRIBE DROP TABLE t",
    "SUMMARIZE INSERT INTO t VALUES (1)",
    "-- SELECT\nDROP TABLE t",
    "/* SELECT */ DROP TABLE t",
  })
  void refusesStatementsThatAreNotReadOnly(String sql) {
    assertThatThrownBy(() -> ReadOnlyGuard.check(sql))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("only read-only queries are allowed");
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(strings = {
    "SELECT 1; SELECT 2",
    "SELECT 1; DROP TABLE t",
    "SELECT 1;DROP TABLE t;",
    "SELECT ';'; DROP TABLE t",
    // a ';' is refused even inside a literal or quoted name: safer than agreeing with DuckDB
    // on every quoting rule
    "SELECT ';' AS semi",
    "SELECT 1 AS \"odd;name\"",
    "SELECT \"we\"\"ird;\" FROM (SELECT 1 AS \"we\"\"ird;\")",
    "SELECT '-- not a comment; DROP TABLE x'",
    "SELECT 'a;b', 'it''s; fine' FROM cdrs.processed_cdrs",
    "SELECT 1 -- ;\n; COPY t TO '/tmp/x'",
    "SELECT 1 /* x */; SET threads = 1",
    "SELECT \"a;\"; ATTACH 'x.db'",
    "EXPLAIN SELECT 1; DROP TABLE t",
  })
  void refusesTwoStatements(String sql) {
    assertThatThrownBy(() -> ReadOnlyGuard.check(sql))
        .isInstanceOf(QueryException.class)
        .hasMessageStartingWith("only one statement per query is allowed");
  }

  @ParameterizedTest(name = "empty: [{0}]")
  @ValueSource(strings = {"", "   ", "\n\t", ";", " ; ;", "-- just a comment", "/* nothing */", "EXPLAIN"})
  void refusesEmptyText(String sql) {
    assertThatThrownBy(() -> ReadOnlyGuard.check(sql))
        .isInstanceOf(QueryException.class)
        .hasMessage("empty query");
  }

  @Test
  void refusalNamesTheStatement() {
    assertThatThrownBy(() -> ReadOnlyGuard.check("  install httpfs"))
        .isInstanceOf(QueryException.class)
        .hasMessageEndingWith("got INSTALL");
  }

  @ParameterizedTest(name = "allowed: {0}")
  @ValueSource(strings = {"DESCRIBE cdrs.processed_cdrs", "SUMMARIZE cdrs.processed_cdrs"})
  void allowsDescribeAndSummarizeOfATable(String sql) {
    assertThatCode(() -> ReadOnlyGuard.check(sql)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(strings = {
    "SELECT $$'$$; DROP TABLE t; SELECT '1'",
    "SELECT E'\\'', 1; DROP TABLE t; SELECT '1'",
    "SELECT 1 -- c\r; DROP TABLE t; SELECT 2",
  })
  void refusesSecondStatementHiddenFromTheScanner(String sql) {
    assertThatThrownBy(() -> ReadOnlyGuard.check(sql)).isInstanceOf(QueryException.class);
  }
}
