package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.web.FailedLogins;
import io.cdrpipeline.app.web.ReportServer;
import io.cdrpipeline.app.web.WebConsole;
import io.cdrpipeline.workflow.Executor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A deployment under one folder, built by the CLI as a user builds it (generate, crawl, etl for
 * three days across a month's end, a few malformed files), with the service's HTTP server running
 * in this JVM on a free port.
 */
public final class ConsoleFixture implements AutoCloseable {
  static final List<LocalDate> DAYS =
      List.of(LocalDate.of(2026, 10, 30), LocalDate.of(2026, 10, 31), LocalDate.of(2026, 11, 1));
  static final int CALLS = 150;
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final AppContext ctx;
  final Executor executor;
  public final ReportServer server;
  final String base;
  final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** {@code yaml} is the config file's text; {@code host} where the server listens. */
  public ConsoleFixture(Path dir, String yaml, String host) throws Exception {
    // the tests send many wrong tokens on purpose; the limit of wrong tokens has a test of its own
    this(
        dir,
        yaml,
        host,
        new FailedLogins(
            1_000_000,
            FailedLogins.WINDOW,
            com.github.benmanes.caffeine.cache.Ticker.systemTicker()));
  }

  /** A deployment whose server allows {@code failedLogins} wrong tokens per address. */
  public ConsoleFixture(Path dir, String yaml, String host, FailedLogins failedLogins)
      throws Exception {
    this(dir, yaml, host, failedLogins, root -> {});
  }

  /** What a test adds to the generated raw files (the CDR folder) before the crawl and the ETL. */
  @FunctionalInterface
  public interface RawAdditions {
    void add(Path cdrRoot) throws Exception;
  }

  /**
   * A deployment whose server allows {@code failedLogins} wrong tokens per address, with {@code
   * additions} made to the raw files before they are crawled and processed.
   */
  public ConsoleFixture(
      Path dir, String yaml, String host, FailedLogins failedLogins, RawAdditions additions)
      throws Exception {
    this.dir = dir;
    // a port known before the start, so that the links the deployment signs point at this server
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String serverBlock =
        "server:\n  port: " + port + "\n  baseUrl: http://127.0.0.1:" + port + "\n";
    Files.writeString(
        dir.resolve("cdr.yaml"),
        yaml.contains("server:\n") ? yaml.replace("server:\n", serverBlock) : yaml + serverBlock);
    for (int i = 0; i < DAYS.size(); i++) {
      String d = DAYS.get(i).toString();
      cli(
          "generate",
          "--date",
          d,
          "--calls",
          Integer.toString(CALLS),
          "--connectors",
          "2",
          "--seed",
          Integer.toString(i + 1),
          "--malformed",
          i == 1 ? "4" : "0");
    }
    additions.add(cdrRoot());
    cli("crawl", "raw");
    for (LocalDate d : DAYS) {
      cli("etl", "--date", d.toString());
    }
    cli("crawl", "processed");
    ctx =
        new AppContext(
            dir.resolve("cdr.yaml"),
            new HashMap<>(),
            dir,
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(new ByteArrayOutputStream()));
    executor = ctx.executor();
    server =
        WebConsole.server(ctx, executor, Clock.systemUTC(), line -> {})
            .failedLogins(failedLogins)
            .start(host, port);
    base = "http://127.0.0.1:" + server.port();
  }

  /** Runs the CLI in this JVM; fails the test unless it succeeds. */
  String cli(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = dir.resolve("cdr.yaml").toString();
    System.arraycopy(args, 0, all, 2, args.length);
    CliRun r = CliRun.in(dir, new HashMap<>(), all);
    assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
    return r.out();
  }

  Path cdrRoot() {
    return dir.resolve("data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json");
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /** Polls the execution until the condition holds, at most two minutes. */
  JsonNode awaitExecution(String id, Predicate<JsonNode> condition, String... headers)
      throws Exception {
    Instant end = Instant.now().plus(Duration.ofMinutes(2));
    JsonNode e;
    do {
      e = json(get("/api/executions/" + id, headers));
      if (condition.test(e)) {
        return e;
      }
      Thread.sleep(100); // the poll interval of a wait on a condition, not a pause to pass
    } while (Instant.now().isBefore(end));
    throw new AssertionError("execution " + id + " never got there: " + e);
  }

  /**
   * A raw record the ETL kept, with the day folder and voice connector folder it was delivered in.
   */
  record Kept(LocalDate day, String connector, JsonNode record) {}

  /**
   * The raw records the ETL kept: the valid ones of files the catalog did not quarantine, read from
   * the files.
   */
  List<Kept> keptRecords() throws Exception {
    Set<String> quarantined = new HashSet<>();
    for (io.cdrpipeline.catalog.QuarantinedFile q : ctx.catalog().quarantine(Optional.empty())) {
      quarantined.add(q.sourceKey());
    }
    Path bucket = dir.resolve("data/cdr-bucket");
    List<Kept> out = new ArrayList<>();
    for (Path p : io.cdrpipeline.testing.RawFiles.files(cdrRoot())) {
      if (quarantined.contains(bucket.relativize(p).toString())) {
        continue;
      }
      Path rel = cdrRoot().relativize(p); // connector/YYYY/MM/DD/file
      LocalDate day =
          LocalDate.of(
              Integer.parseInt(rel.getName(1).toString()),
              Integer.parseInt(rel.getName(2).toString()),
              Integer.parseInt(rel.getName(3).toString()));
      for (JsonNode r : io.cdrpipeline.testing.RawFiles.validRecords(p)) {
        out.add(new Kept(day, rel.getName(0).toString(), r));
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.close();
    ctx.close();
  }
}
