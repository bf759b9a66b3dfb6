package io.cdrpipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rule of {@link ExtraValues} is the one the embedded engine's SQL applies to the staged values
 * (JSON written by Jackson, read by DuckDB): for every kind of value and column type, the Java rule
 * and DuckDB give the same column value and the same text.
 */
class ExtraValuesTest {
  private static final JsonFactory JSON = new JsonFactory();

  @Test
  void doublesAreWrittenAsTextExactlyAsTheEmbeddedEngineWritesThem() throws Exception {
    List<Double> values =
        new ArrayList<>(
            List.of(
                0.1,
                1.5,
                -2.5e-10,
                1e10,
                1e15,
                1e16,
                1e20,
                1e21,
                1e22,
                1e-4,
                1e-5,
                1e-6,
                1e-7,
                0.001,
                5e-324,
                Double.MAX_VALUE,
                Double.MIN_NORMAL,
                -0.0,
                0.0,
                3.0,
                100.0,
                9007199254740993.0,
                123456.789,
                2.82879384806159e17,
                1.0e23,
                12345678912345.6,
                0.3,
                2.0 / 3));
    Random r = new Random(7);
    for (int i = 0; i < 3000; i++) {
      values.add(Double.longBitsToDouble(r.nextLong()));
      values.add(r.nextDouble() * Math.pow(10, r.nextInt(50) - 25));
      values.add((double) Math.round(r.nextGaussian() * 1e6) / 100);
    }
    values.removeIf(d -> d.isNaN() || d.isInfinite());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        PreparedStatement s =
            c.prepareStatement(
                "SELECT (json_transform(x, '{\"f\": \"VARCHAR\"}')).f, "
                    + "CAST(json_extract(x, '$.f') AS VARCHAR), (json_transform(x, '{\"f\": \"DOUBLE\"}')).f FROM (SELECT ?::VARCHAR AS x)")) {
      for (double d : values) {
        s.setString(1, staged(d));
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          assertThat(ExtraValues.inColumn(d, ColumnType.VARCHAR))
              .as("%s in a VARCHAR column", d)
              .isEqualTo(rs.getString(1));
          assertThat(ExtraValues.asText(d)).as("%s as text", d).isEqualTo(rs.getString(2));
          assertThat(ExtraValues.inColumn(d, ColumnType.DOUBLE))
              .as("%s in a DOUBLE column", d)
              .isEqualTo(rs.getDouble(3));
        }
      }
    }
  }

  @Test
  void integersBooleansAndTextFollowTheSameRule() throws Exception {
    Object[] values = {
      0L,
      42L,
      -7L,
      Long.MAX_VALUE,
      Long.MIN_VALUE,
      9007199254740993L,
      true,
      false,
      "att",
      "42",
      "",
      "{\"a\":1}",
      "ünïcode \" quote"
    };
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        PreparedStatement s =
            c.prepareStatement(
                "SELECT (json_transform(x, '{\"f\": \"VARCHAR\"}')).f, "
                    + "CASE WHEN json_type(json_extract(x, '$.f')) = 'VARCHAR' THEN json_extract_string(x, '$.f') "
                    + "ELSE CAST(json_extract(x, '$.f') AS VARCHAR) END, (json_transform(x, '{\"f\": \"DOUBLE\"}')).f "
                    + "FROM (SELECT ?::VARCHAR AS x)")) {
      for (Object v : values) {
        s.setString(1, staged(v));
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          assertThat(ExtraValues.inColumn(v, ColumnType.VARCHAR))
              .as("%s in a VARCHAR column", v)
              .isEqualTo(rs.getString(1));
          assertThat(ExtraValues.asText(v)).as("%s as text", v).isEqualTo(rs.getString(2));
          if (v instanceof Long) {
            assertThat(ExtraValues.inColumn(v, ColumnType.DOUBLE))
                .as("%s in a DOUBLE column", v)
                .isEqualTo(rs.getDouble(3));
          }
        }
      }
    }
    assertThat(ExtraValues.inColumn(42L, ColumnType.BIGINT)).isEqualTo(42L);
    assertThat(ExtraValues.inColumn(1.5, ColumnType.BIGINT)).isNull();
    assertThat(ExtraValues.inColumn("4.5", ColumnType.DOUBLE)).isNull();
    assertThat(ExtraValues.inColumn("true", ColumnType.BOOLEAN)).isNull();
    assertThat(ExtraValues.inColumn(1L, ColumnType.BOOLEAN)).isNull();
    assertThat(ExtraValues.inColumn(true, ColumnType.BOOLEAN)).isEqualTo(true);
  }

  /** The field as the embedded engine stages it: Jackson's JSON of the value. */
  private static String staged(Object v) throws Exception {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("f");
      if (v instanceof Double d) {
        g.writeNumber(d);
      } else if (v instanceof Long l) {
        g.writeNumber(l);
      } else if (v instanceof Boolean b) {
        g.writeBoolean(b);
      } else {
        g.writeString((String) v);
      }
      g.writeEndObject();
    }
    return out.toString();
  }
}
