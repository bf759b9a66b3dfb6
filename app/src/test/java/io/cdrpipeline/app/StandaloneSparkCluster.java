package io.cdrpipeline.app;

import io.cdrpipeline.app.spark.SparkJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A Spark standalone cluster on 127.0.0.1 from the build's own Spark jars ({@code
 * spark/target/spark-classpath.txt}): one {@code Master} (with its REST submission server) and
 * {@code Worker}s of one core each, every one a JVM of its own on ephemeral ports, read from their
 * logs. {@link #close()} kills every JVM it started, and what they started (executors, drivers).
 */
final class StandaloneSparkCluster implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(120);
  private static final Pattern MASTER_URL =
      Pattern.compile("Starting Spark master at (spark://\\S+)");
  private static final Pattern REST_PORT =
      Pattern.compile("Started REST server for submitting applications on \\S+ with port (\\d+)");

  final Path dir;
  final Path home;
  final String master;
  final int restPort;
  private final Process masterProcess;
  private final List<Process> workers = new ArrayList<>();
  private final List<ProcessHandle> started = new ArrayList<>();

  private StandaloneSparkCluster(Path dir, Path home, Process master, String url, int restPort) {
    this.dir = dir;
    this.home = home;
    this.masterProcess = master;
    this.master = url;
    this.restPort = restPort;
  }

  /**
   * Starts the master and one worker per entry of {@code workerEnv} (the variables that worker and
   * the executors and drivers it launches get), and waits until every worker has registered.
   */
  static StandaloneSparkCluster start(Path dir, List<Map<String, String>> workerEnv)
      throws Exception {
    Path home = sparkHome(dir.resolve("spark-home"));
    Process master =
        jvm(
            home,
            dir.resolve("master.log"),
            Map.of(),
            List.of("-Dspark.master.rest.enabled=true", "-Dspark.master.rest.port=0"),
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--webui-port",
            "0");
    StandaloneSparkCluster c;
    try {
      String url = await(master, dir.resolve("master.log"), MASTER_URL);
      int rest = Integer.parseInt(await(master, dir.resolve("master.log"), REST_PORT));
      c = new StandaloneSparkCluster(dir, home, master, url, rest);
    } catch (Throwable e) {
      kill(master.toHandle());
      throw e;
    }
    c.started.add(master.toHandle());
    try {
      for (int i = 0; i < workerEnv.size(); i++) {
        Path log = dir.resolve("worker-" + i + ".log");
        Process w =
            jvm(
                home,
                log,
                workerEnv.get(i),
                List.of(),
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--webui-port",
                "0",
                "--cores",
                "1",
                "--memory",
                "1g",
                "--work-dir",
                Files.createDirectories(c.workDir(i)).toString(),
                c.master);
        c.workers.add(w);
        c.started.add(w.toHandle());
      }
      for (int i = 0; i < workerEnv.size(); i++) {
        await(
            c.workers.get(i),
            dir.resolve("worker-" + i + ".log"),
            Pattern.compile("Successfully registered with master (\\S+)"));
      }
    } catch (Throwable e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** The folder where worker {@code i} runs its executors and drivers. */
  Path workDir(int i) {
    return dir.resolve("work-" + i);
  }

  Process worker(int i) {
    return workers.get(i);
  }

  /** The REST address of the master. */
  String rest() {
    return "http://127.0.0.1:" + restPort;
  }

  /**
   * A Spark home of the build's jars: {@code jars/} (links to the jars of spark-classpath.txt) and
   * {@code RELEASE}, which is what a worker needs to launch executors and drivers.
   */
  static Path sparkHome(Path home) throws IOException {
    Path root = SparkJob.buildRoot().orElseThrow();
    String cp =
        Files.readString(
                root.resolve("spark/target/" + SparkJob.CLASSPATH_FILE), StandardCharsets.UTF_8)
            .strip();
    Path jars = Files.createDirectories(home.resolve("jars"));
    for (String jar : cp.split(java.io.File.pathSeparator)) {
      Path j = Path.of(jar);
      Path link = jars.resolve(j.getFileName());
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, j);
      }
    }
    Files.writeString(home.resolve("RELEASE"), "Spark from the build's jars\n");
    return home;
  }

  private static Process jvm(
      Path home, Path log, Map<String, String> env, List<String> props, String main, String... args)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC"));
    cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
    cmd.addAll(props);
    cmd.addAll(List.of("-cp", home.resolve("jars") + "/*", main));
    cmd.addAll(List.of(args));
    ProcessBuilder b =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    b.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    b.environment().put("SPARK_HOME", home.toString());
    b.environment().put("SPARK_SCALA_VERSION", "2.13");
    b.environment().remove("SPARK_CONF_DIR");
    b.environment().putAll(env);
    return b.start();
  }

  /** The first group of {@code p} in {@code log}, once it is there; fails if the JVM ends first. */
  private static String await(Process jvm, Path log, Pattern p) throws Exception {
    long end = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < end) {
      if (Files.exists(log)) {
        Matcher m = p.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) {
          return m.group(1);
        }
      }
      if (!jvm.isAlive()) {
        throw new AssertionError("the JVM ended before '" + p + "':\n" + read(log));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + p + "' within " + START + ":\n" + read(log));
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Kills worker {@code i} with SIGKILL, with what it launched, as the loss of its machine. */
  void killWorker(int i) throws Exception {
    kill(workers.get(i).toHandle());
  }

  /** Stops the master as an operator would (SIGTERM) and waits for its end. */
  void stopMaster() throws Exception {
    masterProcess.destroy();
    if (!masterProcess.waitFor(60, TimeUnit.SECONDS)) {
      kill(masterProcess.toHandle());
    }
  }

  /** The JVM of a driver a worker runs (cluster mode), once there is one. */
  Optional<ProcessHandle> driver() {
    return workers.stream()
        .flatMap(Process::descendants)
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(a -> List.of(a).contains("org.apache.spark.deploy.worker.DriverWrapper"))
                    .orElse(false))
        .findFirst();
  }

  /** The file {@code name} of a driver's or executor's folder in a worker's work folder. */
  List<Path> logs(String name) throws IOException {
    List<Path> found = new ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      if (Files.isDirectory(workDir(i))) {
        try (var s = Files.walk(workDir(i), 3)) {
          s.filter(f -> f.getFileName().toString().equals(name)).forEach(found::add);
        }
      }
    }
    return found;
  }

  /** SIGKILL to a process and everything it started; returns when they are gone. */
  static void kill(ProcessHandle p) throws Exception {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(0, p);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : all) {
      h.onExit().get(60, TimeUnit.SECONDS);
    }
  }

  /** Kills every JVM of the cluster, and the executors and drivers they launched. */
  @Override
  public void close() {
    for (ProcessHandle p : started) {
      try {
        kill(p);
      } catch (Exception e) {
        // already gone, or it ignored SIGKILL for a minute: nothing else to do
      }
    }
  }
}
