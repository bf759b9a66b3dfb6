package io.cdrpipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ColumnTypeTest {

  @ParameterizedTest(name = "{0} widen {0} = {0}")
  @EnumSource(ColumnType.class)
  void sameTypeStays(ColumnType t) {
    assertThat(t.widen(t)).isEqualTo(t);
  }

  @ParameterizedTest(name = "{0} widen {1} = {2}")
  @CsvSource({
    "BIGINT, DOUBLE, DOUBLE",
    "INTEGER, BIGINT, BIGINT",
    "BOOLEAN, BIGINT, VARCHAR",
    "BOOLEAN, DOUBLE, VARCHAR",
    "BOOLEAN, VARCHAR, VARCHAR",
    "BIGINT, VARCHAR, VARCHAR",
    "DOUBLE, VARCHAR, VARCHAR",
    "TIMESTAMP, BIGINT, VARCHAR",
    "TIMESTAMP, VARCHAR, VARCHAR",
    "INTEGER, BOOLEAN, VARCHAR",
  })
  void mixedTypesWidenInEitherOrder(ColumnType a, ColumnType b, ColumnType expected) {
    assertThat(a.widen(b)).isEqualTo(expected);
    assertThat(b.widen(a)).isEqualTo(expected);
  }

  @Test
  void widenIsCommutativeForEveryPair() {
    for (ColumnType a : ColumnType.values()) {
      for (ColumnType b : ColumnType.values()) {
        assertThat(a.widen(b)).as("%s widen %s", a, b).isEqualTo(b.widen(a));
      }
    }
  }

  @Test
  void integerWidensToDouble() {
    assertThat(ColumnType.INTEGER.widen(ColumnType.DOUBLE)).isEqualTo(ColumnType.DOUBLE);
    assertThat(ColumnType.DOUBLE.widen(ColumnType.INTEGER)).isEqualTo(ColumnType.DOUBLE);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "bigint, BIGINT",
    "INT64, BIGINT",
    "INTEGER, INTEGER",
    "DOUBLE, DOUBLE",
    "'DECIMAL(18,3)', DOUBLE",
    "BOOL, BOOLEAN",
    "TIMESTAMP WITH TIME ZONE, TIMESTAMP",
    "VARCHAR, VARCHAR",
    "'STRUCT(a INTEGER)', VARCHAR",
  })
  void parsesSqlTypeNames(String sql, ColumnType expected) {
    assertThat(ColumnType.parse(sql)).isEqualTo(expected);
  }
}
