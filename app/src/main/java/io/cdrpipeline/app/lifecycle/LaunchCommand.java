package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.cli.ServeCommand;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.LogLine;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.app.web.WebConsole;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.StoreLocation;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionEvent;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.Workflows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

@Command(
    name = "launch",
    mixinStandardHelpOptions = true,
    description = {
      "Set up what cdr needs and run the service in the foreground until it is stopped.",
      "It first refuses what the service would refuse (a host not of this machine, no token off loopback, a",
      "port in use), before anything is made; checks the CDR buckets, creates the folders or S3 buckets of the processed table and the reports,",
      "the state folder, the catalog and the processed table; runs the full workflow (crawl everything, ETL",
      "every day) first when launch.fullEtl is set and it has not succeeded yet (or with --full-etl); then",
      "serves as 'cdr serve' does: schedules, resumed executions, backfill, the HTTP server.",
      "Ctrl-C or SIGTERM stops it gracefully: a running execution is handed over and the next launch (or",
      "serve) resumes it at its unfinished step. Every step prints one structured line (logfmt:",
      "ts=... event=... key=value ...), as does every step transition of an execution it runs.",
      "'cdr service-unit' prints a systemd unit that runs it at boot."
    })
public final class LaunchCommand implements Callable<Integer> {
  private static final Duration HAND_OVER_WAIT = Duration.ofSeconds(20);

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Listen address (default: server.host of the config).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Listen port, 0 for any (default: server.port of the config).")
  Integer port;

  @Option(
      names = "--full-etl",
      negatable = true,
      description =
          "Run the full workflow before the service even if it succeeded before (--no-full-etl: not at all). "
              + "Default: launch.fullEtl of the config, once.")
  Boolean fullEtl;

  private AppContext ctx;
  private volatile boolean stopping;

  @Override
  public Integer call() throws Exception {
    if (port != null && (port < 0 || port > 65535)) {
      throw new UserException("--port: " + port + " is not a port (0 to 65535)");
    }
    ctx = Commands.context(spec);
    Config config = ctx.config();
    ctx.serviceLog = line -> log("service", LogLine.fields("message", line));
    log(
        "launch",
        LogLine.fields(
            "config", ctx.configPath().map(Object::toString).orElse("defaults under ./data")));
    // everything the service would refuse is refused before anything is made or any day processed
    step("check-service", () -> "can listen on " + WebConsole.checkListen(config, host, port));
    step("check-buckets", this::checkBuckets);
    step("create", this::create);
    Executor executor = ctx.executor();
    executor.addListener(this::transition);
    step("full-etl", () -> fullEtl(executor));
    if (stopping) {
      return 143;
    }
    ServeCommand serve = new ServeCommand();
    serve.host = host;
    serve.port = port;
    log("launch", LogLine.fields("step", "service", "status", "started"));
    // it ends with the process: its last lines are the service's ("stopping", "handed over ...")
    return serve.serve(ctx);
  }

  /** One step of the launch: a line when it starts and one when it ends (with its outcome). */
  private void step(String name, Step step) throws Exception {
    log("launch", LogLine.fields("step", name, "status", "started"));
    String detail;
    try {
      detail = step.run();
    } catch (Exception | Error e) {
      log("launch", LogLine.fields("step", name, "status", "failed", "error", e.getMessage()));
      throw e;
    }
    log("launch", LogLine.fields("step", name, "status", "succeeded", "detail", detail));
  }

  private interface Step {
    String run() throws Exception;
  }

  /** Every step transition of an execution this process runs: one line. */
  private void transition(Execution e, ExecutionEvent ev) {
    log(
        ev.at(),
        ev.type().name().toLowerCase(Locale.ROOT),
        LogLine.fields(
            "workflow",
            e.workflow(),
            "execution",
            e.id(),
            "seq",
            ev.seq(),
            "step",
            ev.step().orElse(null),
            "detail",
            ev.detail().orElse(null)));
  }

  private void log(String event, Map<String, ?> fields) {
    log(Instant.now(), event, fields);
  }

  private void log(Instant at, String event, Map<String, ?> fields) {
    synchronized (ctx.out) {
      ctx.out.println(LogLine.of(at, event, fields));
      ctx.out.flush();
    }
  }

  private String checkBuckets() throws IOException {
    List<String> said = new ArrayList<>();
    said.add(check("CDR bucket", ctx.cdrStore()));
    if (ctx.additionalStore() != null) {
      said.add(check("additional bucket", ctx.additionalStore()));
    }
    // the S3 buckets of the table and reports are reached now, so that an unreachable one is told
    // before anything is made
    for (StoreLocation l : List.of(ctx.config().processedBucket(), ctx.config().reportsBucket())) {
      if (l instanceof StoreLocation.S3 s3) {
        said.add(s3.display() + (bucketExists(s3) ? ": reachable" : ": reachable, made next"));
      }
    }
    return String.join("; ", said);
  }

  private String check(String what, ObjectStore store) throws IOException {
    store.checkReadable();
    int connectors = store.listFolders(RawLayout.ROOT).size();
    if (connectors == 0) {
      log(
          "launch",
          LogLine.fields(
              "step",
              "check-buckets",
              "status",
              "warning",
              "detail",
              what
                  + " "
                  + store.location().display()
                  + " holds no CDRs yet under "
                  + RawLayout.ROOT));
    }
    return what + " " + store.location().display() + ": " + connectors + " voice connectors";
  }

  /**
   * Folders or buckets of the processed table and reports, the state folder, the catalog, the
   * table.
   */
  private String create() throws IOException {
    Config c = ctx.config();
    List<Path> folders = new ArrayList<>();
    List<String> buckets = new ArrayList<>();
    List<String> made = new ArrayList<>();
    createFolder(c.stateDir(), folders, made);
    Map<String, StoreLocation> places = new LinkedHashMap<>();
    places.put("processed table", c.processedBucket());
    places.put("reports", c.reportsBucket());
    for (Map.Entry<String, StoreLocation> p : places.entrySet()) {
      StoreLocation l = p.getValue();
      if (l instanceof StoreLocation.Local local) {
        createFolder(local.root(), folders, made);
      } else {
        createBucket((StoreLocation.S3) l, buckets, made);
      }
      for (StoreLocation cdr : cdrBuckets(c)) {
        if (Nesting.inside(l, cdr)) {
          log(
              "launch",
              LogLine.fields(
                  "step",
                  "create",
                  "status",
                  "warning",
                  "detail",
                  "the "
                      + p.getKey()
                      + " "
                      + l.display()
                      + " lies inside "
                      + cdr.display()
                      + ": 'cdr destroy' never changes a CDR bucket, so it will keep them"));
        }
      }
    }
    for (StoreLocation cdr : cdrBuckets(c)) {
      if (Nesting.inside(new StoreLocation.Local(c.stateDir()), cdr)) {
        log(
            "launch",
            LogLine.fields(
                "step",
                "create",
                "status",
                "warning",
                "detail",
                "the state folder "
                    + c.stateDir()
                    + " lies inside "
                    + cdr.display()
                    + ": 'cdr destroy' never changes a CDR bucket, so it will keep it"));
      }
    }
    LaunchCreated.record(c.stateDir(), folders, buckets);
    Database db = ctx.database();
    ctx.etl(io.cdrpipeline.etl.EtlListener.NONE)
        .ensureTable(); // the Iceberg table, created when opened
    made.add("catalog " + Database.redact(db.url()));
    made.add("table " + io.cdrpipeline.model.ProcessedSchema.TABLE);
    return String.join(", ", made);
  }

  private static List<StoreLocation> cdrBuckets(Config c) {
    List<StoreLocation> l = new ArrayList<>(List.of(c.cdrBucket()));
    c.additionalCdrBucket().ifPresent(l::add);
    return l;
  }

  /** Creates a folder and its missing parents; records the outermost one it made. */
  private static void createFolder(Path dir, List<Path> created, List<String> made)
      throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    Path outermost = null;
    for (Path p = d; p != null && !Files.exists(p); p = p.getParent()) {
      outermost = p;
    }
    Files.createDirectories(d);
    if (outermost != null) {
      created.add(outermost);
      made.add("folder " + d);
    }
  }

  /** True if the bucket exists, false if it does not (yet); one line if it cannot be reached. */
  private boolean bucketExists(StoreLocation.S3 location) throws IOException {
    try (var client = ObjectStores.accountClient(ctx.config().s3())) {
      client.headBucket(r -> r.bucket(location.bucket()));
      return true;
    } catch (NoSuchBucketException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      // a HEAD has no error body: its status says why (403: these credentials may not use it)
      String why = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
      throw new IOException(
          "cannot reach the bucket "
              + location.display()
              + ": "
              + (why != null
                  ? why
                  : "HTTP "
                      + e.statusCode()
                      + (e.statusCode() == 403 ? " (access denied to these credentials)" : "")),
          e);
    }
  }

  private void createBucket(StoreLocation.S3 location, List<String> created, List<String> made)
      throws IOException {
    if (bucketExists(location)) {
      return;
    }
    try (var client = ObjectStores.accountClient(ctx.config().s3())) {
      String region = client.serviceClientConfiguration().region().id();
      client.createBucket(
          r -> {
            r.bucket(location.bucket());
            if (!region.equals("us-east-1")) {
              r.createBucketConfiguration(b -> b.locationConstraint(region));
            }
          });
      created.add(location.bucket());
      made.add("bucket s3://" + location.bucket());
    }
  }

  /**
   * The full workflow before the service, when configured and not succeeded yet (or asked for), in
   * this process; an unfinished one (a launch stopped in it) is resumed instead.
   */
  private String fullEtl(Executor executor) {
    boolean configured = fullEtl != null ? fullEtl : ctx.config().launch().fullEtl();
    if (!configured) {
      return "skipped" + (fullEtl == null ? " (launch.fullEtl is not set)" : " (--no-full-etl)");
    }
    Optional<Execution> unfinished =
        ctx.executions().running().stream()
            .filter(e -> e.workflow().equals(Workflows.FULL))
            .findFirst();
    String id;
    if (unfinished.isPresent()) {
      Execution e = unfinished.get();
      if (!executor.isOrphaned(e) || !executor.claim(e)) {
        return "already running as "
            + e.id()
            + " ("
            + e.owner().orElse("another process")
            + "): not started again";
      }
      id = e.id();
    } else if (fullEtl == null && !ctx.executions().succeededKeys(Workflows.FULL).isEmpty()) {
      return "skipped: a full workflow has succeeded before (--full-etl runs it again)";
    } else {
      id = executor.start(Workflows.FULL, Workflows.input(null, null), "launch", true).id();
    }
    Thread hook =
        new Thread(
            () -> {
              // Ctrl-C or SIGTERM in the middle: give the execution up for the next launch to
              // resume at once
              stopping = true;
              executor.handOverAll("the service stopped", HAND_OVER_WAIT);
            },
            "cdr-launch-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Execution end;
    try {
      end = executor.run(id, null);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        stopping = true;
      }
    }
    if (stopping) {
      return id + " handed over: the next launch resumes it";
    }
    return id
        + " "
        + end.status()
        + (end.status() == ExecutionStatus.SUCCEEDED
            ? ""
            : end.error()
                .map(e -> " (" + e + "); the service starts anyway, the next launch tries again")
                .orElse(""));
  }
}
