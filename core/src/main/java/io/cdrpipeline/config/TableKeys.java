package io.cdrpipeline.config;

import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.table.TableSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Checks the {@code table:} block; each mistake is one {@link ConfigException} naming its key. */
final class TableKeys {
  /**
   * The {@code table:} block. Properties go to Iceberg's catalog as text, except the few the
   * product sets itself (where the table's files live and how they are read), which are refused.
   */
  static TableSettings validate(
      ConfigFile.TableFile raw, Path base, Path file, StoreLocation processedBucket) {
    if (raw == null) {
      return TableSettings.DEFAULTS;
    }
    TableSettings.Kind kind = TableSettings.Kind.JDBC;
    if (raw.catalog != null) {
      kind =
          switch (raw.catalog.trim().toLowerCase(Locale.ROOT)) {
            case "jdbc" -> TableSettings.Kind.JDBC;
            case "rest" -> TableSettings.Kind.REST;
            case "glue" -> TableSettings.Kind.GLUE;
            default ->
                throw new ConfigException(
                    "bad value for 'table.catalog' in "
                        + file
                        + ": '"
                        + raw.catalog
                        + "' (expected jdbc, rest or glue)");
          };
    }
    Optional<StoreLocation> warehouse =
        raw.warehouse == null
            ? Optional.empty()
            : Optional.of(PlaceKeys.location("table.warehouse", raw.warehouse, base, null));
    if (kind == TableSettings.Kind.GLUE
        && !(warehouse.orElse(processedBucket) instanceof StoreLocation.S3)) {
      throw new ConfigException(
          "bad value for 'table.warehouse' in "
              + file
              + ": the glue catalog needs an s3:// "
              + "warehouse (Athena and every other reader of Glue read S3), got "
              + warehouse.orElse(processedBucket).display()
              + (warehouse.isEmpty() ? " (the processedBucket)" : ""));
    }
    Map<String, String> properties = new LinkedHashMap<>();
    if (raw.properties != null) {
      for (Map.Entry<String, Object> e : raw.properties.entrySet()) {
        String key = "table.properties." + e.getKey();
        Object v = e.getValue();
        if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
          throw new ConfigException(
              "bad value for '"
                  + key
                  + "' in "
                  + file
                  + ": expected text, a number or true/false, got "
                  + (v == null
                      ? "nothing"
                      : v instanceof List
                          ? "a list"
                          : "keys and values (write Iceberg's dotted keys whole, e.g. 'glue.id: \"123456789012\"')"));
        }
        String text = v.toString().trim();
        if (text.isEmpty()) {
          throw new ConfigException(
              "bad value for '" + key + "' in " + file + ": must not be empty");
        }
        String reserved = reserved(kind, e.getKey(), text);
        if (reserved != null) {
          throw new ConfigException("bad key '" + key + "' in " + file + ": " + reserved);
        }
        properties.put(e.getKey(), text);
      }
    }
    if (kind == TableSettings.Kind.REST) {
      String uri = properties.get("uri");
      if (uri == null) {
        throw new ConfigException(
            "missing key 'table.properties.uri' in "
                + file
                + ": the rest catalog needs the URL of its server (e.g. https://catalog.example.com/api/catalog)");
      }
      httpUrl("table.properties.uri", uri, file);
    }
    if (kind == TableSettings.Kind.GLUE && properties.containsKey("glue.endpoint")) {
      httpUrl("table.properties.glue.endpoint", properties.get("glue.endpoint"), file);
    }
    Duration retention =
        raw.snapshotRetention == null
            ? TableSettings.DEFAULTS.snapshotRetention()
            : Durations.parse(
                "table.snapshotRetention",
                raw.snapshotRetention,
                Duration.ofSeconds(1),
                Duration.ofDays(3650));
    return new TableSettings(kind, warehouse, properties, retention);
  }

  /** Why a catalog property is the product's to set, or null when it is the user's. */
  private static String reserved(TableSettings.Kind kind, String key, String value) {
    if (key.equals("io-impl")) {
      return "the table's files are read and written by the product's own FileIO (Iceberg's S3FileIO for s3://, "
          + "its local one for a folder); set table.warehouse (and s3) instead";
    }
    if (kind == TableSettings.Kind.JDBC && key.equals("uri")) {
      return "the jdbc catalog is kept in the catalog database; set catalogUrl instead";
    }
    if (kind != TableSettings.Kind.REST && key.equals("warehouse")) {
      return "set table.warehouse instead";
    }
    if (kind == TableSettings.Kind.GLUE
        && key.equals("glue.lakeformation-enabled")
        && Boolean.parseBoolean(value)) {
      return "Lake Formation's credentials are not supported: the table's files are read with the product's S3 "
          + "credentials (grant them the warehouse)";
    }
    if (kind == TableSettings.Kind.GLUE && key.equals("client.factory")) {
      return "the product makes the Glue client itself (on its Apache 5 HTTP client); "
          + "for other credentials set client.credentials-provider";
    }
    return null;
  }

  /** An http(s) URL with a host, or a ConfigException naming the key. */
  private static void httpUrl(String key, String value, Path file) {
    try {
      Addresses.httpUrl(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "bad value for '"
              + key
              + "' in "
              + file
              + ": '"
              + value
              + "' (expected http(s)://host[:port][/path])");
    }
  }

  private TableKeys() {}
}
