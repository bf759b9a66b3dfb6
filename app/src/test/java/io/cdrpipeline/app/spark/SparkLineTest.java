package io.cdrpipeline.app.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdrpipeline.config.SparkService;
import io.cdrpipeline.config.SparkSettings;
import io.cdrpipeline.etl.EtlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar of the Spark line the application is submitted to: the product's own Spark runs the
 * 4.1 jar, a Spark installation the jar of its version (from its jars, else its RELEASE file), an
 * explicit {@code spark.jobJar} wins; and what the launcher builds for a config.
 */
class SparkLineTest {
  @TempDir Path dir;

  /** A Spark installation as its distribution lays it out: bin/spark-submit and jars/. */
  Path installation(String name, String coreJar, String release) throws Exception {
    Path home = Files.createDirectories(dir.resolve(name));
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("bin/spark-submit"), "#!/bin/sh\n");
    if (coreJar != null) {
      Files.createDirectories(home.resolve("jars"));
      Files.write(home.resolve("jars").resolve(coreJar), new byte[] {'P', 'K'});
    }
    if (release != null) {
      Files.writeString(home.resolve("RELEASE"), release);
    }
    return home;
  }

  static SparkSettings settings(Optional<Path> home, Optional<String> jobJar) {
    return new SparkSettings(
        "local[2]", home, Map.of(), OptionalInt.empty(), jobJar, SparkSettings.DeployMode.CLIENT);
  }

  @Test
  void theLineOfASparkInstallationComesFromItsCoreJarElseItsReleaseFile() throws Exception {
    assertThat(SparkLine.of(installation("s35", "spark-core_2.12-3.5.8.jar", null)))
        .isEqualTo(SparkLine.SPARK_3_5);
    assertThat(SparkLine.of(installation("s41", "spark-core_2.13-4.1.3.jar", null)))
        .isEqualTo(SparkLine.SPARK_4_1);
    // EMR's and Glue's builds carry a suffix of their own
    assertThat(SparkLine.of(installation("emr", "spark-core_2.12-3.5.2-amzn-1.jar", null)))
        .isEqualTo(SparkLine.SPARK_3_5);
    assertThat(
            SparkLine.of(
                installation(
                    "r35",
                    null,
                    "Spark 3.5.1 (git revision fd86f85e181) built for Hadoop 3.3.4\n")))
        .isEqualTo(SparkLine.SPARK_3_5);
    assertThat(SparkLine.of(installation("r41", null, "Spark 4.1.0 built for Hadoop 3.4.1\n")))
        .isEqualTo(SparkLine.SPARK_4_1);
  }

  @Test
  void aSparkOfAnotherLineOrOfNoKnownVersionIsOneLine() throws Exception {
    Path scala213 = installation("s35-213", "spark-core_2.13-3.5.8.jar", null);
    assertThatThrownBy(() -> SparkLine.of(scala213))
        .isInstanceOf(EtlException.class)
        .hasMessage(
            "engine spark: "
                + scala213
                + " is Spark 3.5 with Scala 2.13; the job is built for Spark 3.5 with Scala 2.12"
                + " and Spark 4.1 with Scala 2.13: set spark.submit to such an installation, or"
                + " spark.jobJar to a job jar built for it");
    Path old = installation("s34", "spark-core_2.12-3.4.4.jar", null);
    assertThatThrownBy(() -> SparkLine.of(old))
        .isInstanceOf(EtlException.class)
        .hasMessageStartingWith("engine spark: " + old + " is Spark 3.4 with Scala 2.12; ");
    Path released = installation("r40", null, "Spark 4.0.1 built for Hadoop 3.4.1\n");
    assertThatThrownBy(() -> SparkLine.of(released))
        .isInstanceOf(EtlException.class)
        .hasMessageStartingWith("engine spark: " + released + " is Spark 4.0; ");
    Path unknown = installation("bare", null, null);
    assertThatThrownBy(() -> SparkLine.of(unknown))
        .isInstanceOf(EtlException.class)
        .hasMessage(
            "engine spark: cannot tell the Spark version of "
                + unknown
                + " (no jars/spark-core_*.jar, no RELEASE file): set spark.jobJar to the job's jar"
                + " for its Spark line (cdr-spark-job-3.5.jar or cdr-spark-job-4.1.jar)");
  }

  @Test
  void theJobJarIsTheBuildsJarOfTheLineItIsSubmittedToUnlessOneIsNamed() throws Exception {
    Path root = dir.resolve("build");
    Files.createDirectories(root.resolve("spark/target"));
    Files.writeString(root.resolve("spark/pom.xml"), "<project/>");
    Path jar41 =
        Files.write(root.resolve("spark/target/cdr-spark-job-4.1.jar"), new byte[] {'P', 'K'});
    Path s35 = installation("s35", "spark-core_2.12-3.5.8.jar", null);
    Path s41 = installation("s41", "spark-core_2.13-4.1.3.jar", null);
    Path config = Files.writeString(dir.resolve("cdr.yaml"), "engine: spark\n");

    SparkJob own =
        new SparkJob(SparkSettings.DEFAULTS, config, dir.resolve("state"), Optional.of(root));
    assertThat(own.line()).isEqualTo(SparkLine.SPARK_4_1);
    assertThat(own.jobJar()).isEqualTo(jar41.toString());
    SparkJob on41 =
        new SparkJob(
            settings(Optional.of(s41), Optional.empty()),
            config,
            dir.resolve("state"),
            Optional.of(root));
    assertThat(on41.jobJar()).isEqualTo(jar41.toString());

    SparkJob on35 =
        new SparkJob(
            settings(Optional.of(s35), Optional.empty()),
            config,
            dir.resolve("state"),
            Optional.of(root));
    assertThat(on35.line()).isEqualTo(SparkLine.SPARK_3_5);
    assertThatThrownBy(on35::jobJar)
        .isInstanceOf(EtlException.class)
        .hasMessage(
            "engine spark: the Spark job's jar for Spark 3.5 "
                + root.resolve("spark/spark-3.5/target/cdr-spark-job-3.5.jar")
                + " is not built (./cdr builds it when its config says engine: spark; or"
                + " mvn -B -DskipTests -pl spark/spark-3.5 -am package), or set spark.jobJar");
    Files.createDirectories(root.resolve("spark/spark-3.5/target"));
    Path jar35 =
        Files.write(
            root.resolve("spark/spark-3.5/target/cdr-spark-job-3.5.jar"), new byte[] {'P', 'K'});
    assertThat(on35.jobJar()).isEqualTo(jar35.toString());

    // spark.jobJar wins over the build's, whatever the line
    SparkJob named =
        new SparkJob(
            settings(Optional.of(s35), Optional.of("s3a://jars/my-job.jar")),
            config,
            dir.resolve("state"),
            Optional.of(root));
    assertThat(named.jobJar()).isEqualTo("s3a://jars/my-job.jar");
    // an installation without a build of its own names the jar of the line
    assertThatThrownBy(
            () ->
                new SparkJob(
                        settings(Optional.of(s35), Optional.empty()),
                        config,
                        dir.resolve("state"),
                        Optional.empty())
                    .jobJar())
        .isInstanceOf(EtlException.class)
        .hasMessage(
            "engine spark: set spark.jobJar to the Spark job's jar for Spark 3.5"
                + " (cdr-spark-job-3.5.jar); this installation has no build of its own");
  }

  @Test
  void theLauncherBuildsWhatTheConfigRunsOn() throws Exception {
    Path s35 = installation("s35", "spark-core_2.12-3.5.8.jar", null);
    assertThat(SparkBuild.needs(SparkSettings.DEFAULTS))
        .containsExactly(
            new SparkBuild.Need("spark", "spark/target/spark-classpath.txt", "4.1"),
            new SparkBuild.Need("spark", "spark/target/cdr-spark-job-4.1.jar", "4.1"));
    assertThat(SparkBuild.needs(settings(Optional.of(s35), Optional.empty())))
        .containsExactly(
            new SparkBuild.Need(
                "spark/spark-3.5", "spark/spark-3.5/target/cdr-spark-job-3.5.jar", "3.5"));
    assertThat(SparkBuild.needs(settings(Optional.of(s35), Optional.of("/opt/job.jar")))).isEmpty();
    assertThat(SparkBuild.needs(settings(Optional.empty(), Optional.of("/opt/job.jar"))))
        .containsExactly(new SparkBuild.Need("spark", "spark/target/spark-classpath.txt", "4.1"));
    // Glue 5.0 and EMR 7 run Spark 3.5: the jar to upload, whatever spark.jobJar's s3:// URL says
    SparkSettings emr =
        new SparkSettings(
            "yarn",
            Optional.empty(),
            Map.of(),
            OptionalInt.empty(),
            Optional.of("s3://artifacts/cdr-spark-job-3.5.jar"),
            SparkSettings.DeployMode.CLUSTER,
            Optional.of(
                new SparkService.Emr(
                    "j-1", "s3://artifacts/staging", Optional.empty(), Optional.empty())));
    assertThat(SparkBuild.needs(emr))
        .containsExactly(
            new SparkBuild.Need(
                "spark/spark-3.5", "spark/spark-3.5/target/cdr-spark-job-3.5.jar", "3.5"));
  }
}
