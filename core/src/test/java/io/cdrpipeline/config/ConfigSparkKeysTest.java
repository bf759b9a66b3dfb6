package io.cdrpipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine:} and the {@code spark:} block: defaults, what each key takes, one line for each
 * mistake.
 */
class ConfigSparkKeysTest {
  @TempDir Path dir;

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

  Path jar() throws Exception {
    Path jar = dir.resolve("job.jar");
    Files.write(jar, new byte[] {'P', 'K'});
    return jar;
  }

  @Test
  void theEmbeddedEngineIsTheDefaultAndSparkRunsLocalTwoInClientMode() throws Exception {
    Config c = load("");
    assertThat(c.engine()).isEqualTo(Config.Engine.EMBEDDED);
    assertThat(c.spark()).isEqualTo(SparkSettings.DEFAULTS);
    assertThat(c.spark().master()).isEqualTo("local[2]");
    assertThat(c.spark().localMaster()).isTrue();
    assertThat(c.spark().deployMode()).isEqualTo(SparkSettings.DeployMode.CLIENT);
    assertThat(c.spark().executorsFor(10)).isEqualTo(10);
    assertThat(Config.defaults(dir).engine()).isEqualTo(Config.Engine.EMBEDDED);
    // the default job jar is the build's: it is looked for when a run starts, not when the file
    // loads
    assertThat(load("engine: spark\n").spark().jobJar()).isEmpty();
    assertThat(load("engine: Spark\n").engine()).isEqualTo(Config.Engine.SPARK);
  }

  @Test
  void everyKeyOfTheSparkBlock() throws Exception {
    Path home = dir.resolve("spark-4.1.3");
    Files.createDirectories(home.resolve("bin"));
    Path submit = Files.writeString(home.resolve("bin/spark-submit"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    jar();
    Config c =
        load(
            "engine: spark\nspark:\n  master: spark://m1.example.com:7077,m2.example.com:7077\n"
                + "  submit: spark-4.1.3\n  deployMode: cluster\n  executors: 20\n  jobJar: job.jar\n"
                + "  conf:\n    spark.executor.memory: 4g\n    spark.executor.cores: 4\n    spark.dynamicAllocation.enabled: false\n");
    SparkSettings s = c.spark();
    assertThat(s.master()).isEqualTo("spark://m1.example.com:7077,m2.example.com:7077");
    assertThat(s.localMaster()).isFalse();
    assertThat(s.sparkHome()).contains(home);
    assertThat(s.deployMode()).isEqualTo(SparkSettings.DeployMode.CLUSTER);
    assertThat(s.executors()).isEqualTo(OptionalInt.of(20));
    assertThat(s.executorsFor(100)).isEqualTo(20);
    assertThat(s.jobJar()).contains(dir.resolve("job.jar").toString());
    assertThat(s.conf())
        .containsExactly(
            Map.entry("spark.executor.memory", "4g"),
            Map.entry("spark.executor.cores", "4"),
            Map.entry("spark.dynamicAllocation.enabled", "false"));
    // bin/spark-submit itself names the same installation
    assertThat(
            load("engine: spark\nspark: {submit: spark-4.1.3/bin/spark-submit}\n")
                .spark()
                .sparkHome())
        .contains(home);
    for (String m :
        new String[] {
          "local",
          "local[1]",
          "local[*]",
          "local[4,2]",
          "yarn",
          "k8s://https://10.0.0.1:6443",
          "k8s://kube.example.com:443"
        }) {
      assertThat(load("spark: {master: '" + m + "'}\n").spark().master()).isEqualTo(m);
    }
    // a URL is for spark-submit to fetch: nothing here can check it
    assertThat(
            load("engine: spark\nspark: {jobJar: 's3a://jars/cdr-spark-job.jar', master: yarn, deployMode: cluster}\n")
                .spark()
                .jobJar())
        .contains("s3a://jars/cdr-spark-job.jar");
  }

  @Test
  void eachMistakeIsOneLineNamingTheKey() throws Exception {
    refused("engine: flink\n", "bad value for 'engine'", "'flink' (expected embedded or spark)");
    refused("engine: [spark]\n", "bad value for 'engine'", "expected text");
    refused(
        "spark: {master: 'lcoal[2]'}\n",
        "bad value for 'spark.master'",
        "'lcoal[2]'",
        "expected local[N]");
    refused("spark: {master: 'local[0]'}\n", "bad value for 'spark.master'");
    refused("spark: {master: 'mesos://m:5050'}\n", "bad value for 'spark.master'");
    refused("spark: {master: 'spark://host'}\n", "bad value for 'spark.master'");
    refused(
        "spark: {deployMode: server}\n",
        "bad value for 'spark.deployMode'",
        "expected client or cluster");
    refused(
        "spark: {deployMode: cluster}\n",
        "bad value for 'spark.deployMode'",
        "cluster needs a cluster master",
        "local[2]");
    refused("spark: {executors: 0}\n", "bad value for 'spark.executors'", "expected 1 to 1024");
    refused(
        "spark: {executors: many}\n", "bad value for 'spark.executors'", "expected a whole number");
    refused(
        "spark: {masters: yarn}\n",
        "unknown key 'spark.masters'",
        "known keys: conf, deployMode, emr, executors, glue, jobJar, master, staging, submit");
    refused(
        "spark: {conf: {executor.memory: 4g}}\n",
        "bad key 'spark.conf.executor.memory'",
        "starting with 'spark.'");
    refused(
        "spark: {conf: {spark.master: yarn}}\n",
        "bad key 'spark.conf.spark.master'",
        "set spark.master");
    refused(
        "spark: {conf: {spark.submit.deployMode: cluster}}\n",
        "bad key 'spark.conf.spark.submit.deployMode'");
    refused(
        "spark: {executors: 3, conf: {spark.executor.instances: 5}}\n",
        "bad key 'spark.conf.spark.executor.instances'");
    refused(
        "spark: {conf: {spark.executor.memory: [4g]}}\n",
        "bad value for 'spark.conf.spark.executor.memory'",
        "a list");
    refused(
        "spark: {conf: {spark.executor: {memory: 4g}}}\n",
        "bad value for 'spark.conf.spark.executor'",
        "write Spark's dotted keys whole");
    refused("spark: {conf: {spark.executor.memory: ''}}\n", "must not be empty");
    refused("spark:\n  master: yarn\n  master: local\n", "not valid YAML", "spark.master");
  }

  @Test
  void withEngineSparkTheJarAndTheInstallationMustBeThere() throws Exception {
    refused(
        "engine: spark\nspark: {jobJar: nowhere.jar}\n",
        "bad value for 'spark.jobJar'",
        dir.resolve("nowhere.jar") + " does not exist",
        "mvn -B -DskipTests -pl spark -am package");
    Files.createDirectories(dir.resolve("jars"));
    refused(
        "engine: spark\nspark: {jobJar: jars}\n",
        "bad value for 'spark.jobJar'",
        "is a folder, not the job's jar");
    refused(
        "engine: spark\nspark: {submit: /opt/no-spark}\n",
        "bad value for 'spark.submit'",
        "/opt/no-spark does not exist");
    Files.createDirectories(dir.resolve("not-spark"));
    refused(
        "engine: spark\nspark: {submit: not-spark}\n",
        "bad value for 'spark.submit'",
        "has no executable bin/spark-submit");
    // a block kept for later does not stop the embedded engine
    Config later = load("engine: embedded\nspark: {jobJar: nowhere.jar, submit: /opt/no-spark}\n");
    assertThat(later.engine()).isEqualTo(Config.Engine.EMBEDDED);
    assertThat(later.spark().sparkHome()).isEqualTo(Optional.of(Path.of("/opt/no-spark")));
    assertThat(load("engine: spark\nspark: {jobJar: '" + jar().toUri() + "'}\n").spark().jobJar())
        .contains(jar().toString());
  }
}
