package io.cdrpipeline.app.spark;

import io.cdrpipeline.config.Config;
import io.cdrpipeline.config.ConfigLoader;
import io.cdrpipeline.config.SparkSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What of the product's build a config with {@code engine: spark} runs on, for the {@code cdr}
 * launcher, which builds it before the command starts: {@code java -cp cdr.jar
 * io.cdrpipeline.app.spark.SparkBuild CONFIG} prints one line per file, {@code <module> <file>
 * <line>} (the Maven module that makes it, the file relative to the build's root, the Spark line).
 * Nothing for another engine, or a config the command itself will refuse with its own line.
 */
public final class SparkBuild {
  private SparkBuild() {}

  /** A file of the build, the module that makes it, and the Spark line it is for. */
  public record Need(String module, String file, String line) {}

  /**
   * The files the ETL on Spark needs from the build: the product's own Spark's jars ({@code
   * spark/target/spark-classpath.txt}) without {@code spark.submit}, and the job jar of the line it
   * submits to without {@code spark.jobJar}; with {@code spark.submit: glue} or {@code emr} the 3.5
   * jar, which the user uploads to the {@code s3://} URL of {@code spark.jobJar}.
   */
  public static List<Need> needs(SparkSettings settings) {
    List<Need> needs = new ArrayList<>();
    if (settings.service().isPresent()) {
      // AWS Glue 5.0 and EMR 7 run Spark 3.5: the 3.5 jar, to upload where spark.jobJar says
      SparkLine line = SparkLine.SPARK_3_5;
      needs.add(new Need(line.module(), line.jar(Path.of("")).toString(), line.version()));
      return needs;
    }
    if (settings.sparkHome().isEmpty()) {
      needs.add(
          new Need(
              SparkLine.OWN.module(),
              SparkLine.OWN.module() + "/target/" + SparkJob.CLASSPATH_FILE,
              SparkLine.OWN.version()));
    }
    if (settings.jobJar().isEmpty()) {
      SparkLine line = settings.sparkHome().map(SparkLine::of).orElse(SparkLine.OWN);
      needs.add(new Need(line.module(), line.jar(Path.of("")).toString(), line.version()));
    }
    return needs;
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: SparkBuild CONFIG-FILE");
      System.exit(2);
    }
    List<Need> needs;
    try {
      Config config = ConfigLoader.load(Path.of(args[0]));
      needs = config.engine() == Config.Engine.SPARK ? needs(config.spark()) : List.of();
    } catch (RuntimeException e) {
      // a config the command refuses, or a Spark installation of another line: the command says
      // so in its own line
      needs = List.of();
    }
    for (Need n : needs) {
      System.out.println(n.module() + " " + n.file() + " " + n.line());
    }
  }
}
