package io.cdrpipeline.app.spark;

import io.cdrpipeline.etl.EtlException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Spark lines the job is built for, each with its jar in the product's build: Spark 3.5 with
 * Scala 2.12 (AWS Glue 5.0, Amazon EMR 7) and Spark 4.1 with Scala 2.13 (the product's own Spark).
 */
public enum SparkLine {
  SPARK_3_5("3.5", "2.12", "spark/spark-3.5", "cdr-spark-job-3.5.jar"),
  SPARK_4_1("4.1", "2.13", "spark", "cdr-spark-job-4.1.jar");

  /** The line of the product's own Spark (the build's {@code spark/target/spark-classpath.txt}). */
  public static final SparkLine OWN = SPARK_4_1;

  private static final Pattern RELEASE = Pattern.compile("^Spark (\\d+)\\.(\\d+)\\.\\S*");
  private static final Pattern CORE_JAR =
      Pattern.compile("^spark-core_(\\d+\\.\\d+)-(\\d+)\\.(\\d+)\\.[^/]*\\.jar$");

  private final String version;
  private final String scala;
  private final String module;
  private final String jarName;

  SparkLine(String version, String scala, String module, String jarName) {
    this.version = version;
    this.scala = scala;
    this.module = module;
    this.jarName = jarName;
  }

  /** {@code 3.5} or {@code 4.1}. */
  public String version() {
    return version;
  }

  /** The Maven module of the build that makes the line's jar ({@code -pl} spells it so). */
  public String module() {
    return module;
  }

  public String jarName() {
    return jarName;
  }

  /** The line's job jar in a build rooted at {@code root}. */
  public Path jar(Path root) {
    return root.resolve(module).resolve("target").resolve(jarName);
  }

  /** The command that builds the line's jar in the product's build. */
  public String buildCommand() {
    return "mvn -B -DskipTests -pl " + module + " -am package";
  }

  /**
   * The line of the Spark installation at {@code home}, from its {@code jars/spark-core_S-V.jar}
   * (Spark and Scala versions), else its {@code RELEASE} file ({@code Spark 3.5.8 built for ...});
   * one line when it is none of the lines the job is built for, or cannot be told.
   */
  public static SparkLine of(Path home) {
    Optional<String[]> found = coreJar(home);
    String spark;
    String scala;
    if (found.isPresent()) {
      spark = found.get()[0];
      scala = found.get()[1];
    } else {
      spark = release(home).orElse(null);
      scala = null;
    }
    if (spark == null) {
      throw new EtlException(
          "engine spark: cannot tell the Spark version of "
              + home
              + " (no jars/spark-core_*.jar, no RELEASE file): set spark.jobJar to the job's jar"
              + " for its Spark line ("
              + SPARK_3_5.jarName
              + " or "
              + SPARK_4_1.jarName
              + ")",
          null);
    }
    for (SparkLine line : values()) {
      if (line.version.equals(spark) && (scala == null || line.scala.equals(scala))) {
        return line;
      }
    }
    throw new EtlException(
        "engine spark: "
            + home
            + " is Spark "
            + spark
            + (scala == null ? "" : " with Scala " + scala)
            + "; the job is built for Spark 3.5 with Scala 2.12 and Spark 4.1 with Scala 2.13:"
            + " set spark.submit to such an installation, or spark.jobJar to a job jar built for it",
        null);
  }

  /** The Spark version ({@code 3.5}) and Scala version ({@code 2.12}) of the core jar, if any. */
  private static Optional<String[]> coreJar(Path home) {
    Path jars = home.resolve("jars");
    if (!Files.isDirectory(jars)) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(jars, "spark-core_*.jar")) {
      for (Path f : files) {
        Matcher m = CORE_JAR.matcher(f.getFileName().toString());
        if (m.matches()) {
          return Optional.of(new String[] {m.group(2) + "." + m.group(3), m.group(1)});
        }
      }
    } catch (IOException e) {
      // unreadable: the RELEASE file may still tell
    }
    return Optional.empty();
  }

  private static Optional<String> release(Path home) {
    try {
      Path file = home.resolve("RELEASE");
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Matcher m = RELEASE.matcher(line.strip());
        if (m.find()) {
          return Optional.of(m.group(1) + "." + m.group(2));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not text: nothing to tell
    }
    return Optional.empty();
  }
}
