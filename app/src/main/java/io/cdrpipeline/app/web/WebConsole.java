package io.cdrpipeline.app.web;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.query.QueryLimits;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionStatus;
import io.cdrpipeline.workflow.Executor;
import io.cdrpipeline.workflow.Step;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Builds the service's HTTP server from the composition root: report links, the JSON API, {@code
 * /metrics} and the web console, with the access rules of {@code server.token}.
 */
public final class WebConsole {
  private WebConsole() {}

  /**
   * The server, not started. Executions started through the API run on their own threads in this
   * process ({@code say} hears how each ended); each query opens an engine of its own.
   */
  public static ReportServer server(
      AppContext ctx, Executor executor, Clock clock, Consumer<String> say) throws IOException {
    Config config = ctx.config();
    // made now, once: the request threads only read them afterwards
    ctx.catalog();
    ctx.processedStore();
    ctx.cdrStore();
    ctx.reportsStore();
    ctx.tempDir();
    Map<String, List<String>> workflows = new LinkedHashMap<>();
    for (String w : List.of("daily", "full", "report")) {
      workflows.put(w, executor.workflow(w).steps().stream().map(Step::name).toList());
    }
    ConsoleMetrics metrics = new ConsoleMetrics(ctx.catalog(), workflows);
    QueryLimits limits = config.query().withTimeout(config.apiQuery().timeout());
    int permits =
        ApiQueries.concurrency(
            config.apiQuery(),
            limits.resultBytes(),
            Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory());
    ApiQueries queries =
        new ApiQueries(() -> ctx.queryEngine(limits), config.apiQuery(), metrics, permits);
    ExecutorService runs =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "api-execution");
              t.setDaemon(true);
              return t;
            });
    Consumer<String> run =
        id ->
            runs.submit(
                () -> {
                  try {
                    Execution end = executor.run(id, null);
                    if (end.status() != ExecutionStatus.RUNNING) {
                      say.accept(
                          end.id()
                              + " "
                              + end.status()
                              + end.error().map(x -> " (" + x + ")").orElse(""));
                    }
                  } catch (RuntimeException e) {
                    say.accept("execution " + id + " failed to run: " + e.getMessage());
                  }
                });
    ApiRoutes api =
        new ApiRoutes(
            new ApiRoutes.Parts(
                ctx.catalog(),
                ctx.executions(),
                executor,
                run,
                queries,
                ctx.reportsStore(),
                ctx.reportLinks(),
                config.linkExpiry(),
                ctx.tempDir(),
                metrics,
                ctx.alarms().store(),
                clock));
    // a link never lasts longer than the config allows now, however long it was signed for
    return new ReportServer(
        ctx.reportsStore(), ctx.signer().lasting(config.linkExpiry()), clock, access(config), api);
  }

  /** Who may use the console and the API, from {@code server.token} and {@code server.baseUrl}. */
  static ConsoleAccess access(Config config) {
    return new ConsoleAccess(config.server().token(), config.server().baseUrl());
  }

  /**
   * Refuses, before anything is opened or made, a host and port the service cannot listen on
   * ({@code --host}/{@code --port}, else the config's): not an address of this machine, off
   * loopback without a token, a port in use. Returns where it will listen.
   */
  public static String checkListen(Config config, String host, Integer port) throws IOException {
    String h = host != null ? host : config.server().host();
    int p = port != null ? port : config.server().port();
    ReportServer.checkListen(h, p, access(config));
    return io.cdrpipeline.config.Addresses.inUrl(h) + ":" + p;
  }
}
