package io.cdrpipeline.catalog;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A PostgreSQL catalog, shared by every machine of a deployment. */
public record PostgresDialect(String url) implements Dialect {
  private static final String ISO_TEXT =
      "to_char((%s) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

  @Override
  public DataSource newDataSource() {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setUrl(url);
    return pg;
  }

  @Override
  public Optional<DataSource> existingDataSource() {
    return Optional.of(newDataSource());
  }

  @Override
  public Optional<String> problem() {
    if (org.postgresql.Driver.parseURL(url, null) == null) {
      return Optional.of(
          "'"
              + Database.redact(url)
              + "' is not a PostgreSQL URL (expected jdbc:postgresql://HOST[:PORT]/DB?user=..&password=..)");
    }
    return Optional.empty();
  }

  @Override
  public Dialect resolve(Path base) {
    return this;
  }

  @Override
  public Optional<Path> file() {
    return Optional.empty();
  }

  @Override
  public Optional<Path> lockFolder() {
    return Optional.empty();
  }

  @Override
  public Optional<String> quartzDelegate() {
    return Optional.of("org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
  }

  @Override
  public String trueLiteral() {
    return "true";
  }

  @Override
  public String tablesQuery() {
    return "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
  }

  @Override
  public String viewCountQuery() {
    return "SELECT count(*) FROM information_schema.views WHERE table_schema = current_schema() AND lower(table_name) = ?";
  }

  @Override
  public String isoNow(boolean minusMillisParameter) {
    // clock_timestamp(), not now(): now() is the start of the transaction
    return ISO_TEXT.formatted(
        minusMillisParameter
            ? "clock_timestamp() - ? * INTERVAL '1 millisecond'"
            : "clock_timestamp()");
  }

  @Override
  public Map<String, String> icebergCatalogProperties() {
    return Map.of();
  }

  @Override
  public String stepSeconds() {
    return "EXTRACT(EPOCH FROM (CAST(en.at AS TIMESTAMPTZ) - CAST(st.at AS TIMESTAMPTZ)))";
  }
}
