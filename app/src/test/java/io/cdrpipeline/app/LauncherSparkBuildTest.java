package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./cdr} launcher builds the Spark job when the config it uses says {@code engine:
 * spark}: the jar of the line the config submits to, only when missing or older than its sources,
 * with one progress line. Its own functions, run by bash as the launcher runs them, on a build
 * folder whose {@code mvn} stands in for Maven: it records its arguments and makes the files of the
 * modules it is asked for.
 */
class LauncherSparkBuildTest {
  @TempDir Path tmp;
  Path root;
  Path work;
  Path mvnLog;

  record Run(int exit, String err, List<String> mvn) {}

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("build"));
    for (String f :
        List.of(
            "pom.xml",
            "core/pom.xml",
            "core/src/main/java/A.java",
            "spark/pom.xml",
            "spark/src/main/java/B.java",
            "spark/spark-3.5/pom.xml")) {
      Path p = root.resolve(f);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "x");
      Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
    }
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    mvnLog = tmp.resolve("mvn.log");
    Files.writeString(
        bin.resolve("mvn"),
        String.join(
            "\n",
            "#!/bin/sh",
            "echo \"$*\" >> '" + mvnLog + "'",
            "[ -z \"$MVN_FAIL\" ] || { echo '[ERROR] compilation failed'; exit 1; }",
            "while [ $# -gt 0 ]; do [ \"$1\" = -pl ] && pl=\"$2\"; shift; done",
            "for m in $(echo \"$pl\" | tr , ' '); do",
            "  mkdir -p \"$m/target\"",
            "  case \"$m\" in",
            // as Maven: the jar made anew, the class path list written only when it changes
            "    spark) touch spark/target/cdr-spark-job-4.1.jar",
            "      [ -f spark/target/spark-classpath.txt ] || touch spark/target/spark-classpath.txt ;;",
            "    spark/spark-3.5) touch spark/spark-3.5/target/cdr-spark-job-3.5.jar ;;",
            "  esac",
            "done",
            ""));
    Files.setPosixFilePermissions(bin.resolve("mvn"), PosixFilePermissions.fromString("rwxr-xr-x"));
    work = Files.createDirectories(tmp.resolve("work"));
  }

  /** A Spark 3.5 installation as its distribution lays it out. */
  Path spark35() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("spark-3.5.8/jars"));
    Files.write(home.resolve("spark-core_2.12-3.5.8.jar"), new byte[] {'P', 'K'});
    Path submit = Files.createDirectories(home.resolveSibling("bin")).resolve("spark-submit");
    Files.writeString(submit, "#!/bin/sh\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home.getParent();
  }

  private static String function(String script, String name) {
    int start = script.indexOf(name + "() {");
    assertThat(start).as("the launcher's function %s", name).isNotNegative();
    return script.substring(start, script.indexOf("\n}\n", start) + 3);
  }

  Run launch(Map<String, String> env, String... args) throws Exception {
    String script = Files.readString(Path.of("..", "cdr"));
    String program =
        "set -euo pipefail\nJVM_OPTS=(-Xshare:auto)\n"
            + function(script, "config_file")
            + function(script, "spark_build")
            + "spark_build \"$@\"\n";
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", program, "cdr"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().remove("CDR_CONFIG");
    pb.environment().put("HERE", root.toString());
    // the app's classes as the launcher's cdr.jar holds them
    pb.environment().put("JAR", System.getProperty("java.class.path"));
    pb.environment()
        .put(
            "PATH",
            tmp.resolve("bin")
                + ":"
                + Path.of(System.getProperty("java.home"), "bin")
                + ":"
                + System.getenv("PATH"));
    pb.environment().putAll(env);
    Files.deleteIfExists(mvnLog);
    Path err = tmp.resolve("stderr.txt");
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
    Process p = pb.start();
    try {
      p.getOutputStream().close();
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the launcher's build step ends").isTrue();
      return new Run(
          p.exitValue(),
          Files.readString(err, StandardCharsets.UTF_8),
          Files.exists(mvnLog) ? Files.readAllLines(mvnLog) : List.of());
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  void theOwnSparksJobIsBuiltOnceAndAgainWhenItsSourcesChange() throws Exception {
    Files.writeString(work.resolve("cdr.yaml"), "engine: spark  # on this machine\n");
    Run first = launch(Map.of(), "etl", "--date", "2026-11-29");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.err())
        .isEqualTo(
            "cdr: building the Spark job for Spark 4.1 (engine: spark in cdr.yaml; first use, or"
                + " sources changed) ...\n");
    assertThat(first.mvn())
        .containsExactly("-q -B -Dstyle.color=never -DskipTests package -pl spark -am");
    assertThat(root.resolve("spark/target/cdr-spark-job-4.1.jar")).exists();

    Run again = launch(Map.of(), "etl", "--date", "2026-11-29");
    assertThat(again.exit()).isZero();
    assertThat(again.mvn()).isEmpty();
    assertThat(again.err()).isEmpty();

    // a source newer than the jar (and than the class path list): built again
    Path source = root.resolve("spark/src/main/java/B.java");
    for (String built : List.of("cdr-spark-job-4.1.jar", "spark-classpath.txt")) {
      Files.setLastModifiedTime(
          root.resolve("spark/target").resolve(built),
          FileTime.from(Instant.now().minusSeconds(1800)));
    }
    Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
    Run changed = launch(Map.of(), "etl", "--date", "2026-11-29");
    assertThat(changed.mvn()).hasSize(1);
    assertThat(changed.err()).startsWith("cdr: building the Spark job for Spark 4.1 ");
    // the class path list kept its time (its content did not change): nothing more to build
    assertThat(root.resolve("spark/target/spark-classpath.txt").toFile().lastModified())
        .isLessThan(source.toFile().lastModified());
    Run after = launch(Map.of(), "etl", "--date", "2026-11-29");
    assertThat(after.mvn()).isEmpty();
    assertThat(after.err()).isEmpty();
  }

  @Test
  void aSpark35InstallationGetsThe35JarAndANamedJarNothing() throws Exception {
    Files.writeString(
        work.resolve("glue.yaml"), "engine: spark\nspark:\n  submit: " + spark35() + "\n");
    Run run = launch(Map.of(), "--config=glue.yaml", "run", "daily");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err())
        .startsWith("cdr: building the Spark job for Spark 3.5 (engine: spark in glue.yaml;");
    assertThat(run.mvn())
        .containsExactly("-q -B -Dstyle.color=never -DskipTests package -pl spark/spark-3.5 -am");
    assertThat(root.resolve("spark/spark-3.5/target/cdr-spark-job-3.5.jar")).exists();
    assertThat(root.resolve("spark/target/cdr-spark-job-4.1.jar")).doesNotExist();

    // spark.jobJar with spark.submit: nothing of the build is used, nothing is built
    Path jar = Files.write(tmp.resolve("my-job.jar"), new byte[] {'P', 'K'});
    Files.writeString(
        work.resolve("named.yaml"),
        "engine: spark\nspark:\n  submit: " + spark35() + "\n  jobJar: " + jar + "\n");
    Run named = launch(Map.of("CDR_CONFIG", "named.yaml"), "etl", "--date", "2026-11-29");
    assertThat(named.exit()).isZero();
    assertThat(named.mvn()).isEmpty();
  }

  @Test
  void anotherEngineBuildsNothingAndAFailedBuildStopsWithOneLine() throws Exception {
    Files.writeString(work.resolve("cdr.yaml"), "engine: embedded\n");
    Run embedded = launch(Map.of(), "etl", "--date", "2026-11-29");
    assertThat(embedded.exit()).isZero();
    assertThat(embedded.mvn()).isEmpty();
    assertThat(embedded.err()).isEmpty();
    // no config file at all: the defaults, the embedded engine
    Files.delete(work.resolve("cdr.yaml"));
    assertThat(launch(Map.of(), "etl").mvn()).isEmpty();

    Files.writeString(work.resolve("spark.yaml"), "engine: 'spark'\n");
    Run failed = launch(Map.of("MVN_FAIL", "1"), "--config", "spark.yaml", "etl");
    assertThat(failed.exit()).isEqualTo(1);
    assertThat(failed.mvn()).hasSize(1);
    assertThat(failed.err())
        .contains("[ERROR] compilation failed")
        .endsWith("cdr: building the Spark job failed\n");
  }
}
