package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.table.TableSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code table:} block: which Iceberg catalog keeps the processed table, and where its files
 * live.
 */
class ConfigTableKeysTest {
  @TempDir Path dir;

  Config load(String yaml) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void withoutTheBlockTheTableIsInTheJdbcCatalogOfTheProcessedBucketForADay() throws Exception {
    for (Config c : new Config[] {load(""), load("table: {}\n"), Config.defaults(dir)}) {
      assertThat(c.table()).isEqualTo(TableSettings.DEFAULTS);
      assertThat(c.table().catalog()).isEqualTo(TableSettings.Kind.JDBC);
      assertThat(c.table().snapshotRetention()).isEqualTo(Duration.ofDays(1));
      assertThat(c.tableWarehouse()).isEqualTo(c.processedBucket());
    }
    assertThat(load("processedBucket: s3://cdr-lake/tables\n").tableWarehouse())
        .isEqualTo(new StoreLocation.S3("cdr-lake", "tables"));
  }

  @Test
  void restTakesItsPropertiesAsTextAndAWarehouseOfItsOwn() throws Exception {
    Config c =
        load(
            """
        table:
          catalog: REST
          warehouse: lake
          snapshotRetention: 36h
          properties:
            uri: http://127.0.0.1:8181/api/catalog
            credential: client-id:secret
            warehouse: analytics
            rest.page-size: 100
            rest.sigv4-enabled: true
        """);
    TableSettings t = c.table();
    assertThat(t.catalog()).isEqualTo(TableSettings.Kind.REST);
    assertThat(t.warehouse())
        .contains(new StoreLocation.Local(dir.resolve("lake").toAbsolutePath().normalize()));
    assertThat(c.tableWarehouse()).isEqualTo(t.warehouse().orElseThrow());
    assertThat(t.snapshotRetention()).isEqualTo(Duration.ofHours(36));
    assertThat(t.properties())
        .isEqualTo(
            Map.of(
                "uri",
                "http://127.0.0.1:8181/api/catalog",
                "credential",
                "client-id:secret",
                "warehouse",
                "analytics",
                "rest.page-size",
                "100",
                "rest.sigv4-enabled",
                "true"));
  }

  @Test
  void glueTakesAnS3WarehouseAndKeepsAnAccountIdAsWritten() throws Exception {
    Config c =
        load(
            """
        processedBucket: s3://cdr-lake/tables
        table:
          catalog: glue
          properties:
            glue.id: 012345678901
            client.region: eu-west-1
            glue.endpoint: https://glue.eu-west-1.amazonaws.com
        """);
    assertThat(c.table().catalog()).isEqualTo(TableSettings.Kind.GLUE);
    assertThat(c.table().warehouse()).isEqualTo(Optional.empty());
    assertThat(c.tableWarehouse()).isEqualTo(new StoreLocation.S3("cdr-lake", "tables"));
    assertThat(c.table().properties())
        .containsEntry("glue.id", "012345678901")
        .containsEntry("client.region", "eu-west-1");
    assertThat(load("table:\n  catalog: glue\n  warehouse: s3://other-lake\n").tableWarehouse())
        .isEqualTo(new StoreLocation.S3("other-lake", ""));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "table:\\n  catalog: hive|table.catalog|expected jdbc, rest or glue",
        "table:\\n  catalog: rest|table.properties.uri|needs the URL of its server",
        "table:\\n  catalog: rest\\n  properties:\\n    credential: a:b|table.properties.uri|needs the URL",
        "table:\\n  catalog: rest\\n  properties:\\n    uri: localhost:8181|table.properties.uri|expected http(s)://",
        "table:\\n  catalog: rest\\n  properties:\\n    uri: http://|table.properties.uri|expected http(s)://",
        "table:\\n  catalog: rest\\n  properties:\\n    uri: http://h:99999|table.properties.uri|expected http(s)://",
        "table:\\n  properties:\\n    uri: [a, b]|table.properties.uri|got a list",
        "table:\\n  properties:\\n    glue:\\n      id: 1|table.properties.glue|dotted keys whole",
        "table:\\n  properties:\\n    jdbc.user:|table.properties.jdbc.user|got nothing",
        "table:\\n  properties:\\n    jdbc.user: '  '|table.properties.jdbc.user|must not be empty",
        "table:\\n  properties:\\n    uri: jdbc:sqlite:other.db|table.properties.uri|set catalogUrl instead",
        "table:\\n  properties:\\n    warehouse: /elsewhere|table.properties.warehouse|set table.warehouse instead",
        "table:\\n  catalog: rest\\n  properties:\\n    uri: http://h\\n    io-impl: x.IO|table.properties.io-impl|own FileIO",
        "table:\\n  catalog: glue|table.warehouse|needs an s3:// warehouse",
        "table:\\n  catalog: glue\\n  warehouse: /srv/lake|table.warehouse|needs an s3:// warehouse",
        "processedBucket: s3://lake1\\ntable:\\n  catalog: glue\\n  properties:\\n    client.factory: x.F|table.properties.client.factory|client.credentials-provider",
        "processedBucket: s3://lake1\\ntable:\\n  catalog: glue\\n  properties:\\n    glue.lakeformation-enabled: true|table.properties.glue.lakeformation-enabled|Lake Formation",
        "processedBucket: s3://lake1\\ntable:\\n  catalog: glue\\n  properties:\\n    glue.endpoint: glue.local|table.properties.glue.endpoint|expected http(s)://",
        "table:\\n  warehouse: s3://A_B|table.warehouse|invalid S3 bucket name",
        "table:\\n  warehouse: ''|table.warehouse|must not be empty",
        "table:\\n  snapshotRetention: forever|table.snapshotRetention|not a duration",
        "table:\\n  snapshotRetention: 0s|table.snapshotRetention|more than zero",
        "table:\\n  snapshotRetention: 4000d|table.snapshotRetention|out of range",
        "table:\\n  retention: 1d|table.retention|known keys",
        "table: jdbc|table|expected keys and values"
      })
  void mistakesAreOneLineNamingTheKey(String yaml, String key, String reason) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml.replace("\\n", "\n"));
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f));
    assertThat(e).as(yaml).isNotNull();
    assertThat(e.getMessage())
        .contains("'" + key + "'")
        .contains(reason)
        .contains(f.toString())
        .doesNotContain("\n");
  }
}
