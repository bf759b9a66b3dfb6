package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdrpipeline.store.StoreLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path write(String relative, String yaml) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }

  private static StoreLocation local(Path p) {
    return new StoreLocation.Local(p.toAbsolutePath().normalize());
  }

  private static void assertDefaultsUnder(Config c, Path dataDir) {
    Path d = dataDir.toAbsolutePath().normalize();
    assertThat(c.cdrBucket()).isEqualTo(local(d.resolve("cdr-bucket")));
    assertThat(c.processedBucket()).isEqualTo(local(d.resolve("processed")));
    assertThat(c.reportsBucket()).isEqualTo(local(d.resolve("reports")));
    assertThat(c.stateDir()).isEqualTo(d.resolve("state"));
    assertThat(c.additionalCdrBucket()).isEmpty();
    assertThat(c.database()).isEqualTo("cdrs");
    assertThat(c.dailyWorkers()).isEqualTo(10);
    assertThat(c.fullWorkers()).isEqualTo(100);
    assertThat(c.catalogUrl()).isEqualTo("jdbc:sqlite:" + d.resolve("state").resolve("catalog.db"));
    assertThat(c.sqliteCatalog()).isTrue();
  }

  /** The ConfigException of loading this YAML, checked to be one line. */
  private ConfigException failure(String yaml) throws IOException {
    Path file = write("conf/cdr.yaml", yaml);
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
    assertThat(e).as("loading %s", yaml).isNotNull();
    assertThat(e.getMessage())
        .as("one line")
        .isNotBlank()
        .doesNotContain("\n")
        .doesNotContain("\r");
    return e;
  }

  // ---------------------------------------------------------------- resolve

  @Test
  void defaultsWhenNoFile() {
    Config c = ConfigLoader.resolve(null, null, dir);
    assertDefaultsUnder(c, dir.resolve("data"));
    assertThat(c.source()).isEmpty();
  }

  @Test
  void blankEnvironmentValueMeansDefaults() {
    Config c = ConfigLoader.resolve(null, "  ", dir);
    assertDefaultsUnder(c, dir.resolve("data"));
  }

  @Test
  void cdrConfigEnvironmentValueIsUsedWhenNoExplicitFile() throws IOException {
    Path file = write("env/cdr.yaml", "database: from_env\ndailyWorkers: 3\n");
    Path elsewhere = Files.createDirectories(dir.resolve("cwd"));
    Config c = ConfigLoader.resolve(null, file.toString(), elsewhere);
    assertThat(c.database()).isEqualTo("from_env");
    assertThat(c.dailyWorkers()).isEqualTo(3);
    assertThat(c.source()).contains(file.toAbsolutePath().normalize());
    // locations not in the file default next to the file, not under the working dir
    assertThat(c.cdrBucket()).isEqualTo(local(dir.resolve("env/data/cdr-bucket")));
  }

  @Test
  void explicitFileWinsOverTheEnvironment() throws IOException {
    Path explicit = write("a/cdr.yaml", "database: explicit_db\n");
    Path env = write("b/cdr.yaml", "database: env_db\n");
    Config c = ConfigLoader.resolve(explicit, env.toString(), dir);
    assertThat(c.database()).isEqualTo("explicit_db");
    assertThat(c.source()).contains(explicit.toAbsolutePath().normalize());
  }

  // ---------------------------------------------------------------- values

  @Test
  void relativePathsResolveAgainstTheFilesFolder() throws IOException {
    Path file =
        write(
            "conf/cdr.yaml",
            String.join(
                "\n",
                "cdrBucket: raw",
                "additionalCdrBucket: ./more/raw2",
                "processedBucket: ../processed",
                "reportsBucket: out/reports/",
                "stateDir: state",
                "catalogUrl: jdbc:sqlite:cat/catalog.db",
                ""));
    Path base = dir.resolve("conf");
    Config c = ConfigLoader.load(file);
    assertThat(c.cdrBucket()).isEqualTo(local(base.resolve("raw")));
    assertThat(c.additionalCdrBucket()).contains(local(base.resolve("more/raw2")));
    assertThat(c.processedBucket()).isEqualTo(local(dir.resolve("processed")));
    assertThat(c.reportsBucket()).isEqualTo(local(base.resolve("out/reports")));
    assertThat(c.stateDir()).isEqualTo(base.resolve("state").toAbsolutePath().normalize());
    assertThat(c.catalogUrl())
        .isEqualTo("jdbc:sqlite:" + base.resolve("cat/catalog.db").toAbsolutePath().normalize());
    // not the process's working directory
    Path cwd = Path.of("").toAbsolutePath();
    assertThat(((StoreLocation.Local) c.cdrBucket()).root()).isNotEqualTo(cwd.resolve("raw"));
  }

  @Test
  void relativeStateDirMovesTheDefaultCatalog() throws IOException {
    Path file = write("conf/cdr.yaml", "stateDir: st\n");
    Config c = ConfigLoader.load(file);
    assertThat(c.catalogUrl())
        .isEqualTo("jdbc:sqlite:" + dir.resolve("conf/st/catalog.db").toAbsolutePath().normalize());
  }

  @Test
  void absolutePathsAreKept() throws IOException {
    Path abs = dir.resolve("somewhere/else").toAbsolutePath();
    Path file = write("conf/cdr.yaml", "cdrBucket: " + abs + "\n");
    assertThat(ConfigLoader.load(file).cdrBucket()).isEqualTo(local(abs));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "s3://my-cdr-bucket/cdrs/prod, my-cdr-bucket, cdrs/prod",
    "s3://my-cdr-bucket/cdrs/, my-cdr-bucket, cdrs",
    "s3://my-cdr-bucket, my-cdr-bucket, ''",
    "S3://my.cdr-bucket/x, my.cdr-bucket, x",
    "s3a://my-cdr-bucket/cdrs/prod, my-cdr-bucket, cdrs/prod",
    "S3A://my-cdr-bucket, my-cdr-bucket, ''",
  })
  void s3UriParsesToS3Location(String uri, String bucket, String prefix) throws IOException {
    Path file =
        write(
            "conf/cdr.yaml", "cdrBucket: " + uri + "\nprocessedBucket: s3://cdr-lake/processed\n");
    Config c = ConfigLoader.load(file);
    assertThat(c.cdrBucket()).isEqualTo(new StoreLocation.S3(bucket, prefix));
    assertThat(c.processedBucket()).isInstanceOf(StoreLocation.S3.class);
  }

  @Test
  void everySettingIsRead() throws IOException {
    Path file =
        write(
            "conf/cdr.yaml",
            String.join(
                "\n",
                "database: my_cdrs",
                "dailyWorkers: 4",
                "fullWorkers: 1024",
                "etlMemoryLimit: 512MB",
                "crawlSampleFiles: 0",
                "catalogUrl: jdbc:postgresql://db.example/catalog",
                ""));
    Config c = ConfigLoader.load(file);
    assertThat(c.database()).isEqualTo("my_cdrs");
    assertThat(c.dailyWorkers()).isEqualTo(4);
    assertThat(c.fullWorkers()).isEqualTo(1024);
    assertThat(c.etlMemoryLimit()).isEqualTo("512MB");
    assertThat(c.crawlSampleFiles()).isZero();
    assertThat(c.catalogUrl()).isEqualTo("jdbc:postgresql://db.example/catalog");
    assertThat(c.sqliteCatalog()).isFalse();
  }

  // ---------------------------------------------------------------- mistakes

  @Test
  void unknownKeyIsNamed() throws IOException {
    ConfigException e = failure("cdrBucket: raw\ndailyWorker: 5\n");
    assertThat(e.getMessage()).contains("unknown key 'dailyWorker'").contains("cdr.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "dailyWorkers: 0                  | dailyWorkers",
        "dailyWorkers: -3                 | dailyWorkers",
        "dailyWorkers: 1025               | dailyWorkers",
        "dailyWorkers: abc                | dailyWorkers",
        "dailyWorkers: '8'                | dailyWorkers",
        "fullWorkers: 0                   | fullWorkers",
        "fullWorkers: [1, 2]              | fullWorkers",
        "database: \"1bad\"               | database",
        "database: bad-name               | database",
        "database: ''                     | database",
        "catalogUrl: \"jdbc:mysql://x\"   | catalogUrl",
        "etlMemoryLimit: lots             | etlMemoryLimit",
        "crawlSampleFiles: -1             | crawlSampleFiles",
        "cdrBucket: ''                    | cdrBucket",
        "cdrBucket: s3://A                | cdrBucket",
        "stateDir: ' '                    | stateDir",
        "cdrBucket: {path: x}             | cdrBucket",
      })
  void badValueIsAOneLineMessageNamingTheKey(String yaml, String key) throws IOException {
    ConfigException e = failure(yaml + "\n");
    assertThat(e.getMessage()).contains("'" + key + "'");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "cdrBucket: \"unterminated\ndatabase: x\n",
        "cdrBucket: raw\n  database: x\n: : :\n",
        "cdrBucket: raw\ndatabase: x: y\n",
        "\tdatabase: x\n",
      })
  void yamlSyntaxErrorNamesTheFile(String yaml) throws IOException {
    ConfigException e = failure(yaml);
    assertThat(e.getMessage())
        .contains(dir.resolve("conf/cdr.yaml").toAbsolutePath().normalize().toString())
        .contains("not valid YAML");
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope/cdr.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config file not found: " + missing.toAbsolutePath().normalize());
  }

  @Test
  void missingFileFromTheEnvironmentIsNamed() {
    Path missing = dir.resolve("absent.yaml");
    assertThatThrownBy(() -> ConfigLoader.resolve(null, missing.toString(), dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageNotContaining("\n");
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {"", "\n\n", "   \n", "---\n"})
  void emptyFileMeansDefaultsNextToTheFile(String content) throws IOException {
    Path file = write("conf/cdr.yaml", content);
    Config c = ConfigLoader.load(file);
    assertDefaultsUnder(c, dir.resolve("conf/data"));
    assertThat(c.source()).isEqualTo(Optional.of(file.toAbsolutePath().normalize()));
  }

  @Test
  void commentOnlyFileMeansDefaultsNextToTheFile() throws IOException {
    Path file = write("conf/cdr.yaml", "# cdrBucket: s3://my-bucket\n# database: cdrs\n");
    Config c = ConfigLoader.load(file);
    assertDefaultsUnder(c, dir.resolve("conf/data"));
  }

  /** Values the loader took and that failed later, or worse, did something else than written. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "etlMemoryLimit: 0MB                                | etlMemoryLimit | more than zero",
        "etlMemoryLimit: 1MB                                | etlMemoryLimit | at least 64MB",
        "etlMemoryLimit: 63.9MB                             | etlMemoryLimit | at least 64MB",
        "etlMemoryLimit: 99999999999999999999TB             | etlMemoryLimit | too large",
        "catalogUrl: 'jdbc:sqlite::memory:'                 | catalogUrl     | in-memory",
        "catalogUrl: 'jdbc:sqlite:'                         | catalogUrl     | in-memory",
        "catalogUrl: 'jdbc:sqlite:file::memory:?cache=shared' | catalogUrl   | in-memory",
        "catalogUrl: 'jdbc:sqlite:file:cat.db?mode=memory'  | catalogUrl     | in-memory",
        "catalogUrl: 'jdbc:sqlite::resource:catalog.db'     | catalogUrl     | jdbc:sqlite:FILE",
        "catalogUrl: 'jdbc:sqlite:.'                        | catalogUrl     | is a folder",
        "catalogUrl: 'jdbc:postgresql://h:notaport/db'      | catalogUrl     | not a PostgreSQL URL",
        "database: memory                                   | database       | DuckDB keeps",
        "database: System                                   | database       | DuckDB keeps",
        "database: temp                                     | database       | DuckDB keeps",
        "database: information_schema                       | database       | DuckDB keeps",
        "database: pg_catalog                               | database       | DuckDB keeps",
        "dailyWorkers: ten                                  | dailyWorkers   | expected a whole number, got 'ten'",
        "dailyWorkers: 2.5                                  | dailyWorkers   | expected a whole number, got 2.5",
        "dailyWorkers: true                                 | dailyWorkers   | expected a whole number, got true",
        "dailyWorkers: [1]                                  | dailyWorkers   | expected a whole number, got a list",
        "dailyWorkers: 99999999999                          | dailyWorkers   | 99999999999 is too large",
        "backfill: 'true'                                   | backfill       | expected true or false, got 'true'",
        "backfill: 1                                        | backfill       | expected true or false, got 1",
        "cdrBucket: [a, b]                                  | cdrBucket      | expected text, got a list",
        "schedules: 'cron(0 9 * * ? *)'                     | schedules      | expected keys and values, got 'cron(0 9 * * ? *)'",
        "server: 8080                                       | server         | expected keys and values, got 8080",
        "s3: {maxConcurrency: lots}                         | s3.maxConcurrency | expected a whole number, got 'lots'",
        "notifications: {type: log}                         | notifications  | expected a list, got keys and values",
      })
  void valuesThatFailedLaterAreRefusedAtLoad(String yaml, String key, String reason)
      throws IOException {
    ConfigException e = failure(yaml + "\n");
    assertThat(e.getMessage())
        .contains("'" + key + "'")
        .contains(reason)
        .doesNotContain("Jackson", "coerce", "`");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "database: a\ndatabase: b\n",
        "cdrBucket: raw\ndailyWorkers: 2\ncdrBucket: other\n",
        "server: {port: 1, port: 2}\n",
        "server:\n  host: 0.0.0.0\n  host: 127.0.0.1\n",
        "notifications:\n  - {type: webhook, url: 'https://a.example', url: 'https://b.example'}\n",
        "schedules: {daily: 'cron(0 9 * * ? *)', daily: off}\n",
      })
  void aDuplicateKeyIsRefusedNotOverwritten(String yaml) throws IOException {
    ConfigException e = failure(yaml);
    String key = yaml.replaceAll("(?s).*\\b(database|cdrBucket|port|host|url|daily)\\b.*", "$1");
    assertThat(e.getMessage()).contains("Duplicate field '" + key + "'").contains("line ");
  }

  @Test
  void aDuplicateKeyNamesItsPath() throws IOException {
    assertThat(failure("server:\n  port: 1\n  port: 2\n").getMessage())
        .contains("'server.port'")
        .contains("(line 3)");
    assertThat(failure("notifications:\n  - type: log\n    type: log\n").getMessage())
        .contains("'notifications[0].type'");
  }

  @Test
  void aStateDirThatIsAFileIsRefused() throws IOException {
    Files.writeString(dir.resolve("conf-state"), "not a folder");
    assertThat(failure("stateDir: ../conf-state\n").getMessage())
        .contains("'stateDir'")
        .contains("is a file, not a folder");
  }

  @Test
  void aConfigFileThatIsAFolderOrNotTextIsOneLine() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("folder.yaml"));
    assertThatThrownBy(() -> ConfigLoader.load(folder))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config file " + folder + " is a folder, not a file");
    Path binary = dir.resolve("binary.yaml");
    Files.write(binary, new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
    assertThatThrownBy(() -> ConfigLoader.load(binary))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config file " + binary + " is not UTF-8 text");
  }

  @Test
  void sqliteCatalogFilesAndPostgresUrlsAreKept() throws IOException {
    assertThat(
            ConfigLoader.load(
                    write("conf/cdr.yaml", "catalogUrl: 'jdbc:sqlite:file:/srv/cat.db'\n"))
                .catalogUrl())
        .isEqualTo("jdbc:sqlite:file:/srv/cat.db");
    assertThat(
            ConfigLoader.load(
                    write(
                        "conf/cdr.yaml",
                        "catalogUrl: 'jdbc:postgresql://db:5433/cdr?user=u&password=p'\n"))
                .catalogUrl())
        .isEqualTo("jdbc:postgresql://db:5433/cdr?user=u&password=p");
    assertThat(ConfigLoader.load(write("conf/cdr.yaml", "etlMemoryLimit: 64MB\n")).etlMemoryLimit())
        .isEqualTo("64MB");
    assertThat(
            ConfigLoader.load(write("conf/cdr.yaml", "etlMemoryLimit: 1.5GiB\n")).etlMemoryLimit())
        .isEqualTo("1.5GiB");
  }

  @Test
  void aPasswordInABadCatalogUrlIsNotShown() throws IOException {
    assertThat(failure("catalogUrl: 'jdbc:mysql://h/db?password=hunter2'\n").getMessage())
        .doesNotContain("hunter2");
  }

  @Test
  void fractionalWorkerCountIsRefused() throws IOException {
    ConfigException e = failure("dailyWorkers: 2.5\n");
    assertThat(e.getMessage()).contains("'dailyWorkers'");
  }

  @Test
  void outOfIntRangeWorkerCountNamesTheKey() throws IOException {
    ConfigException e = failure("dailyWorkers: 99999999999\n");
    assertThat(e.getMessage()).contains("'dailyWorkers'");
  }
}
