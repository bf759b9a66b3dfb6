package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spark.submit: glue} and {@code emr}: their keys, defaults, and one line per mistake. */
class ConfigSparkServiceKeysTest {
  @TempDir Path dir;

  static final String GLUE =
      "engine: spark\nspark:\n  submit: glue\n  jobJar: s3a://cdr-jars/cdr-spark-job-3.5.jar\n"
          + "  staging: s3://cdr-jars/staging/\n";
  static final String EMR =
      "engine: spark\nspark:\n  submit: emr\n  jobJar: s3://cdr-jars/cdr-spark-job-3.5.jar\n"
          + "  staging: s3://cdr-jars/staging\n";

  Config load(String yaml) throws Exception {
    Path f = dir.resolve("cdr.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  void refused(String yaml, String... parts) {
    assertThatThrownBy(() -> load(yaml))
        .as(yaml)
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e -> {
              assertThat(e.getMessage()).doesNotContain("\n");
              for (String part : parts) {
                assertThat(e.getMessage()).contains(part);
              }
            });
  }

  @Test
  void glueWithItsDefaults() throws Exception {
    SparkSettings s =
        load(GLUE + "  glue:\n    role: arn:aws:iam::123456789012:role/cdr-glue\n").spark();
    assertThat(s.jobJar()).contains("s3://cdr-jars/cdr-spark-job-3.5.jar"); // s3a:// means s3://
    assertThat(s.sparkHome()).isEmpty();
    assertThat(s.service())
        .contains(
            new SparkService.Glue(
                "cdr-etl",
                "arn:aws:iam::123456789012:role/cdr-glue",
                "G.1X",
                List.of(),
                "s3://cdr-jars/staging",
                Optional.empty(),
                Optional.empty()));
  }

  @Test
  void glueWithEveryKey() throws Exception {
    SparkSettings s =
        load(GLUE
                + "  executors: 4\n  glue:\n    jobName: cdr-etl-prod\n    role: cdr-glue\n"
                + "    workerType: G.2X\n    connections: [cdr-postgres]\n    region: eu-west-1\n    endpoint: http://127.0.0.1:4566\n")
            .spark();
    assertThat(s.executorsFor(10)).isEqualTo(4);
    assertThat(s.service())
        .contains(
            new SparkService.Glue(
                "cdr-etl-prod",
                "cdr-glue",
                "G.2X",
                List.of("cdr-postgres"),
                "s3://cdr-jars/staging",
                Optional.of("eu-west-1"),
                Optional.of(URI.create("http://127.0.0.1:4566"))));
  }

  @Test
  void emrWithItsCluster() throws Exception {
    SparkSettings s =
        load(EMR + "  emr:\n    clusterId: j-2AXXXXXXGAPLF\n    region: us-west-2\n").spark();
    assertThat(s.service())
        .contains(
            new SparkService.Emr(
                "j-2AXXXXXXGAPLF",
                "s3://cdr-jars/staging",
                Optional.of("us-west-2"),
                Optional.empty()));
  }

  @Test
  void eachMistakeIsOneLineNamingItsKey() {
    refused(GLUE, "missing 'spark.glue.role'", "role: arn:aws:iam::");
    refused(EMR, "missing 'spark.emr.clusterId'", "j-");
    refused(
        "engine: spark\nspark:\n  submit: glue\n  staging: s3://b-1/x\n  glue: {role: r}\n",
        "missing 'spark.jobJar'");
    refused(
        "engine: spark\nspark:\n  submit: glue\n  jobJar: /opt/cdr-spark-job.jar\n  staging: s3://b-1/x\n  glue: {role: r}\n",
        "'spark.jobJar'",
        "expected s3://");
    refused(
        "engine: spark\nspark:\n  submit: glue\n  jobJar: s3://b-1/jars/\n  staging: s3://b-1/x\n  glue: {role: r}\n",
        "'spark.jobJar'",
        "folder");
    refused(
        "engine: spark\nspark:\n  submit: glue\n  jobJar: s3://b-1/j.jar\n  glue: {role: r}\n",
        "missing 'spark.staging'");
    refused(
        "engine: spark\nspark:\n  submit: emr\n  jobJar: s3://b-1/j.jar\n  staging: /tmp/x\n  emr: {clusterId: j-1}\n",
        "'spark.staging'",
        "on S3");
    refused(GLUE + "  glue: {role: r, workerType: huge}\n", "'spark.glue.workerType'", "huge");
    refused(GLUE + "  glue: {role: 'a b'}\n", "'spark.glue.role'");
    refused(GLUE + "  glue: {role: r, jobName: 'x y'}\n", "'spark.glue.jobName'");
    refused(GLUE + "  glue: {role: r, connections: ['']}\n", "'spark.glue.connections'");
    refused(GLUE + "  glue: {role: r, region: mars}\n", "'spark.glue.region'");
    refused(GLUE + "  glue: {role: r, endpoint: 'ftp://x'}\n", "'spark.glue.endpoint'");
    refused(EMR + "  emr: {clusterId: cluster-1}\n", "'spark.emr.clusterId'", "j-");
    refused(GLUE + "  master: yarn\n  glue: {role: r}\n", "'spark.master'", "no meaning");
    refused(EMR + "  deployMode: client\n  emr: {clusterId: j-1}\n", "'spark.deployMode'");
    refused(GLUE + "  glue: {role: r}\n  emr: {clusterId: j-1}\n", "'spark.emr'");
    refused(EMR + "  emr: {clusterId: j-1}\n  glue: {role: r}\n", "'spark.glue'");
    refused("engine: spark\nspark:\n  glue: {role: r}\n", "'spark.glue'", "spark.submit: glue");
    refused("engine: spark\nspark:\n  staging: s3://b-1/x\n", "'spark.staging'");
    refused(GLUE + "  glue: {role: r, color: blue}\n", "unknown key", "color");
  }
}
