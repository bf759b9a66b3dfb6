package io.cdrpipeline.app.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cdrpipeline.app.spark.SparkJob;
import io.cdrpipeline.store.S3Store;
import io.cdrpipeline.testing.S3Server;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A local HTTP server standing in for an AWS service that runs the Spark job (Glue, EMR): the JSON
 * 1.1 protocol (the action in {@code X-Amz-Target}), every request recorded, runs that go through
 * the service's documented states. What a run does is planned by the test ({@link Plan}): run the
 * real job ({@code io.cdrpipeline.spark.SparkEtlApp} of the build, {@code local[2]}, in a JVM of
 * its own, in a working folder holding the files the service would copy there), hold in its running
 * state until released or stopped, or answer a scripted list of states.
 */
public abstract class ServiceStandIn implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One request: the action and its JSON body. */
  public record Call(String action, JsonNode body) {}

  /** What the next started run does. */
  public record Plan(boolean job, CountDownLatch hold, List<String> states, String error) {
    /** Runs the real job at once. */
    public static Plan runJob() {
      return new Plan(true, null, List.of(), null);
    }

    /** Stays in its running state until {@code release} opens (then runs the job) or a stop. */
    public static Plan heldThenJob(CountDownLatch release) {
      return new Plan(true, release, List.of(), null);
    }

    /** Stays in its running state until stopped. */
    public static Plan held() {
      return new Plan(false, new CountDownLatch(1), List.of(), null);
    }

    /** Answers these states, one per poll, the last one from then on; {@code error} its reason. */
    public static Plan states(String error, String... states) {
      return new Plan(false, null, List.of(states), error);
    }
  }

  /** A run: its state as the service spells it, what it was asked to do, its job's process. */
  public final class Run {
    public final String id;
    final Plan plan;
    volatile String state;
    volatile String error;
    volatile Process process;
    volatile boolean stopRequested;
    private int polled;

    /** Every state this run was answered with, in order, each once. */
    public final List<String> answered = new CopyOnWriteArrayList<>();

    Run(String id, Plan plan) {
      this.id = id;
      this.plan = plan;
      this.state = starting();
    }

    /** The state to answer now: a scripted run moves on one state per poll. */
    synchronized String poll() {
      if (!plan.states().isEmpty() && !stopRequested) {
        state = plan.states().get(Math.min(polled, plan.states().size() - 1));
        error = plan.error();
        polled++;
      } else if (plan.states().isEmpty() && state.equals(starting()) && polled++ > 0) {
        state = running(); // a run seen starting once is running from the next poll on
      }
      if (answered.isEmpty() || !answered.get(answered.size() - 1).equals(state)) {
        answered.add(state);
      }
      return state;
    }

    synchronized void stop() {
      stopRequested = true;
      if (!isFinal(state)) {
        state = stopping();
        Process p = process;
        if (p != null) {
          p.destroyForcibly();
        }
        if (plan.hold() != null) {
          plan.hold().countDown();
        }
        daemon("stopping " + id, this::awaitStopped);
      }
    }

    private void awaitStopped() {
      Process p = process;
      if (p != null) {
        p.onExit().join();
      }
      synchronized (this) {
        state = stopped();
      }
    }

    /** The state it was last answered with, or set to. */
    public String state() {
      return state;
    }

    /** The job's working folder (its config copy, the jar, driver.out and driver.err). */
    public Path work() {
      return root.resolve(id);
    }
  }

  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Deque<Plan> plans = new ConcurrentLinkedDeque<>();
  final Map<String, Run> runs = new java.util.concurrent.ConcurrentHashMap<>();
  final List<Run> order = new CopyOnWriteArrayList<>();
  final S3Server s3;
  final Path root;
  private final String prefix;
  private final AtomicInteger ids = new AtomicInteger();

  /**
   * @param prefix the service's target prefix ({@code AWSGlue}, {@code ElasticMapReduce})
   * @param s3 where the job's jar and the files to copy are read from
   * @param root where the runs' working folders go
   */
  ServiceStandIn(String prefix, S3Server s3, Path root) throws IOException {
    this.prefix = prefix;
    this.s3 = s3;
    this.root = Files.createDirectories(root);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The endpoint to give the client. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Plans the next started run (default: {@link Plan#runJob()}). */
  public void next(Plan plan) {
    plans.add(plan);
  }

  public List<Call> calls(String action) {
    return calls.stream().filter(c -> c.action().equals(action)).toList();
  }

  /** The runs started, in order. */
  public List<Run> runs() {
    return List.copyOf(order);
  }

  /** Waits until {@code n} requests of {@code action} arrived. */
  public void await(String action, int n, Duration within) throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (calls(action).size() < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no " + n + " " + action + " within " + within + ": " + calls);
      }
      Thread.sleep(20);
    }
  }

  abstract String starting();

  abstract String running();

  abstract String succeeded();

  abstract String failed();

  abstract String stopping();

  abstract String stopped();

  abstract boolean isFinal(String state);

  /** The answer to one request; a {@link Fault} for a service error. */
  abstract JsonNode answer(String action, JsonNode body) throws IOException;

  /** A service error: its type and message, HTTP 400. */
  static final class Fault extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String type;

    Fault(String type, String message) {
      super(message);
      this.type = type;
    }
  }

  /** Starts a run with the next plan; {@code command} says how the real job is run, if planned. */
  Run start(String prefixOfId, JobCommand command) {
    Plan plan = Optional.ofNullable(plans.poll()).orElse(Plan.runJob());
    Run run = new Run(prefixOfId + ids.incrementAndGet(), plan);
    runs.put(run.id, run);
    order.add(run);
    if (plan.job()) {
      daemon("stand-in " + run.id, () -> runJob(run, command));
    }
    return run;
  }

  /**
   * How the service would run the job: the S3 objects to copy into the working folder (by their
   * last name), the jar's S3 URL, {@code spark.*} settings, the job's arguments; or why it cannot.
   */
  record JobCommand(
      List<String> files,
      String jar,
      Map<String, String> conf,
      List<String> args,
      String refused) {}

  private void runJob(Run run, JobCommand c) {
    try {
      if (run.plan.hold() != null) {
        run.plan.hold().await();
      }
      synchronized (run) {
        if (run.stopRequested) {
          return;
        }
        run.state = running();
      }
      if (c.refused() != null) {
        fail(run, c.refused());
        return;
      }
      Path work = Files.createDirectories(run.work());
      for (String f : c.files()) {
        download(f, work.resolve(f.substring(f.lastIndexOf('/') + 1)));
      }
      Path jar = download(c.jar(), work.resolve("job.jar"));
      Path root = SparkJob.buildRoot().orElseThrow();
      // Glue 5.0 and EMR 7 run Spark 3.5: the 3.5 job jar on the Spark 3.5 of the build
      String cp =
          Files.readString(root.resolve("spark/spark-3.5/target/spark-classpath-3.5.txt")).strip();
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(List.of("-Xmx1g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
      cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
      cmd.add("-Dspark.master=local[2]");
      cmd.add("-Dspark.ui.enabled=false");
      c.conf().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
      cmd.addAll(List.of("-cp", cp + java.io.File.pathSeparator + jar, SparkJob.MAIN_CLASS));
      cmd.addAll(c.args());
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(work.toFile())
              .redirectOutput(work.resolve("driver.out").toFile())
              .redirectError(work.resolve("driver.err").toFile());
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      synchronized (run) {
        if (run.stopRequested) {
          return;
        }
        run.process = pb.start();
      }
      int code = run.process.waitFor();
      synchronized (run) {
        if (run.stopRequested) {
          return;
        }
        if (code == 0) {
          run.state = succeeded();
        } else {
          List<String> err = Files.readAllLines(work.resolve("driver.err"));
          fail(
              run,
              err.stream()
                  .filter(l -> l.startsWith("cdr-spark: "))
                  .reduce((a, b) -> b)
                  .orElse("exit code " + code));
        }
      }
    } catch (Exception e) {
      fail(run, e.toString());
    }
  }

  private void fail(Run run, String why) {
    synchronized (run) {
      run.error = why;
      run.state = failed();
    }
  }

  static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  /** An S3 object of the in-process S3 server, to a file. */
  Path download(String url, Path to) throws IOException {
    URI u = URI.create(url.replaceFirst("^s3a://", "s3://"));
    try (S3Store store = s3.store(u.getHost(), "", 4)) {
      Files.write(to, store.read(u.getPath().substring(1)));
    }
    return to;
  }

  /** An S3 object's text, or empty. */
  Optional<String> text(String url) {
    try {
      Path tmp = Files.createTempFile(root, "object", ".txt");
      download(url, tmp);
      return Optional.of(Files.readString(tmp, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      String action =
          target != null && target.startsWith(prefix + ".")
              ? target.substring(prefix.length() + 1)
              : "";
      calls.add(new Call(action, body));
      int status = 200;
      JsonNode out;
      try {
        out = answer(action, body);
      } catch (Fault e) {
        status = 400;
        out = JSON.createObjectNode().put("__type", e.type).put("message", e.getMessage());
        exchange.getResponseHeaders().set("x-amzn-ErrorType", e.type);
      } catch (RuntimeException e) {
        status = 500;
        out =
            JSON.createObjectNode()
                .put("__type", "InternalServiceException")
                .put("message", e.toString());
      }
      byte[] bytes = JSON.writeValueAsBytes(out);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(bytes);
      }
    }
  }

  /** The run {@code id}, or the service's not-found fault. */
  Run run(String id, String notFound) {
    Run r = runs.get(id);
    if (r == null) {
      throw new Fault(notFound, "run " + id + " not found");
    }
    return r;
  }

  ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Stops the server and the jobs still running. */
  @Override
  public void close() {
    server.stop(0);
    for (Run r : order) {
      Process p = r.process;
      if (p != null) {
        p.destroyForcibly();
        try {
          p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (r.plan.hold() != null) {
        r.plan.hold().countDown();
      }
    }
  }
}
