package io.cdrpipeline.app.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.SparkSettings;
import io.cdrpipeline.etl.EtlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the job jar and Spark come from when nothing but the product's build is there, and what is
 * said when they are not.
 */
class SparkJobTest {
  @TempDir Path dir;

  static final SparkJob.Request DAY =
      new SparkJob.Request(
          Optional.of(LocalDate.of(2026, 11, 2)), false, 10, Optional.of("daily-1"));

  SparkJob job(SparkSettings s, Optional<Path> root) throws Exception {
    Path config = Files.writeString(dir.resolve("cdr.yaml"), "engine: spark\n");
    return new SparkJob(s, config, dir.resolve("state"), root);
  }

  @Test
  void theJobGetsTheArgumentsOfItsContract() {
    assertThat(DAY.args(Path.of("/etc/cdr.yaml")))
        .containsExactly(
            "--config",
            "/etc/cdr.yaml",
            "--date",
            "2026-11-02",
            "--workers",
            "10",
            "--execution",
            "daily-1");
    assertThat(
            new SparkJob.Request(Optional.empty(), true, 100, Optional.empty())
                .args(Path.of("/c.yaml")))
        .containsExactly("--config", "/c.yaml", "--full", "--force", "--workers", "100");
  }

  @Test
  void anS3JobJarIsFetchedThroughS3AOutsideYarnWhetherWrittenS3OrS3A() throws Exception {
    for (String master : new String[] {"spark://m:7077", "k8s://https://k:443", "local[2]"}) {
      for (String jar : new String[] {"s3://art/cdr/job.jar", "s3a://art/cdr/job.jar"}) {
        SparkSettings s =
            new SparkSettings(
                master,
                Optional.empty(),
                Map.of(),
                OptionalInt.empty(),
                Optional.of(jar),
                SparkSettings.DeployMode.CLIENT);
        assertThat(job(s, Optional.empty()).jobJar())
            .as(master + " " + jar)
            .isEqualTo("s3a://art/cdr/job.jar");
      }
    }
    // on YARN (EMR's EMRFS serves s3://) the URL goes as written
    assertThat(SparkJob.hadoopUrl("s3://art/job.jar", "yarn")).isEqualTo("s3://art/job.jar");
    assertThat(SparkJob.hadoopUrl("s3a://art/job.jar", "yarn")).isEqualTo("s3a://art/job.jar");
    assertThat(SparkJob.hadoopUrl("hdfs://nn/job.jar", "spark://m:7077"))
        .isEqualTo("hdfs://nn/job.jar");
  }

  @Test
  void aJobJarThatIsNotBuiltIsOneLineSayingHowToBuildIt() throws Exception {
    Files.createDirectories(dir.resolve("build/spark"));
    Files.writeString(dir.resolve("build/spark/pom.xml"), "<project/>");
    assertThatThrownBy(
            () -> job(SparkSettings.DEFAULTS, Optional.of(dir.resolve("build"))).jobJar())
        .isInstanceOf(EtlException.class)
        .hasMessage(
            "engine spark: the Spark job's jar for Spark 4.1 "
                + dir.resolve("build/spark/target/cdr-spark-job-4.1.jar")
                + " is not built (./cdr builds it when its config says engine: spark; or"
                + " mvn -B -DskipTests -pl spark -am package), or set spark.jobJar");
    assertThatThrownBy(() -> job(SparkSettings.DEFAULTS, Optional.empty()).jobJar())
        .isInstanceOf(EtlException.class)
        .hasMessageContaining("set spark.jobJar");
    // the tests run from this build: it is found from the classes
    assertThat(SparkJob.buildRoot())
        .hasValueSatisfying(root -> assertThat(root.resolve("spark/pom.xml")).isRegularFile());
  }

  @Test
  void withoutSparkInstalledTheBuildsSparkJarsRunSparkSubmitInAJvmOfItsOwn() throws Exception {
    Path root = dir.resolve("build");
    Files.createDirectories(root.resolve("spark/target"));
    Files.writeString(root.resolve("spark/pom.xml"), "<project/>");
    Files.write(root.resolve("spark/target/cdr-spark-job-4.1.jar"), new byte[] {'P', 'K'});
    SparkJob job = job(SparkSettings.DEFAULTS, Optional.of(root));
    SparkEtl etl =
        new SparkEtl(job, new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("catalog.db"))));
    assertThatThrownBy(() -> etl.run(DAY, SparkEtl.NO_CHECKPOINT, SparkEtl.Progress.NONE))
        .isInstanceOf(EtlException.class)
        .hasMessageContaining(
            "spark/target/spark-classpath.txt is missing (mvn -B -DskipTests -pl spark -am package); "
                + "or set spark.submit to a Spark installation");

    // a class path without Spark on it: the product's spark-submit starts, and the driver's one
    // line is the error
    Files.writeString(
        root.resolve("spark/target/spark-classpath.txt"), dir.resolve("no-spark.jar") + "\n");
    assertThatThrownBy(() -> etl.run(DAY, SparkEtl.NO_CHECKPOINT, SparkEtl.Progress.NONE))
        .isInstanceOf(EtlException.class)
        .hasMessageMatching(
            "Spark application etl-\\S+ failed: Error: Could not find or load main class "
                + "org\\.apache\\.spark\\.deploy\\.SparkSubmit \\(driver log: .*/state/spark/etl-\\S+/driver\\.err\\)");
    Path home = dir.resolve("state/spark/home");
    assertThat(Files.readString(home.resolve("bin/spark-submit")))
        .contains("org.apache.spark.deploy.SparkSubmit \"$@\"");
    assertThat(Files.isExecutable(home.resolve("bin/spark-submit"))).isTrue();
    assertThat(Files.readString(home.resolve("driver-jvm.args")))
        .contains("\"-Xmx1g\"")
        .contains("\"--add-opens=java.base/sun.nio.ch=ALL-UNNAMED\"")
        .contains(dir.resolve("no-spark.jar").toString());

    SparkSettings more =
        new SparkSettings(
            "local[2]",
            Optional.empty(),
            Map.of(
                "spark.driver.memory",
                "3g",
                "spark.driver.extraJavaOptions",
                "-Dcdr.failpoint=etl.before-commit:fail  -Dx=1"),
            OptionalInt.empty(),
            Optional.empty(),
            SparkSettings.DeployMode.CLIENT);
    assertThatThrownBy(
            () ->
                new SparkEtl(
                        job(more, Optional.of(root)),
                        new Catalog(Database.open("jdbc:sqlite:" + dir.resolve("catalog.db"))))
                    .run(DAY, SparkEtl.NO_CHECKPOINT, SparkEtl.Progress.NONE))
        .isInstanceOf(EtlException.class);
    assertThat(Files.readString(home.resolve("driver-jvm.args")))
        .contains("\"-Xmx3g\"")
        .contains("\"-Dcdr.failpoint=etl.before-commit:fail\"\n\"-Dx=1\"");
  }
}
