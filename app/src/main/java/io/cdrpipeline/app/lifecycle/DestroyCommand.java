package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.cli.BackgroundRunner;
import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.Prompts;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.catalog.SqliteDialect;
import io.cdrpipeline.config.Config;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.workflow.Execution;
import io.cdrpipeline.workflow.ExecutionStore;
import io.cdrpipeline.workflow.Executor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "destroy",
    mixinStandardHelpOptions = true,
    description = {
      "Remove what cdr made for this config: the processed table's files, the reports, the catalog's tables",
      "(executions, schedules, quarantine records, partitions), the link secret, temporary files, the query",
      "cache, execution logs and locks, and the folders or buckets 'cdr launch' created (once empty).",
      "It lists everything first and asks before removing anything (--yes skips the question; without a",
      "terminal --yes is needed). The CDR bucket and the additional bucket are never changed, whatever the",
      "config says: what lies inside them is listed as kept. The config file is kept too. A service or an",
      "execution that is still running must be stopped first. Running it again once done changes nothing."
    })
public final class DestroyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** How long destroy waits for background runners that are still ending. */
  private static final Duration RUNNER_WAIT = Duration.ofSeconds(60);

  @Option(names = "--yes", description = "Remove without asking.")
  boolean yes;

  @Option(names = "--dry-run", description = "Only list what would be removed.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    Optional<Prompts> prompts = yes || dryRun ? Optional.empty() : ctx.prompts();
    if (!yes && !dryRun && prompts.isEmpty()) {
      throw new UserException(
          "destroy removes data and asks first, but there is no terminal to ask on: "
              + "run it in a terminal, or add --yes");
    }
    Config config = ctx.config();
    refuseWhileRunning(ctx, config);
    awaitRunners(ctx, config);
    Footprint footprint = new Footprint(config, ctx.configPath());
    try {
      Footprint.Survey survey = footprint.survey();
      ctx.out.println(
          "never changed: "
              + String.join(", ", footprint.untouchableNames())
              + ctx.configPath().map(p -> ", the config file " + p).orElse(""));
      for (String k : survey.kept()) {
        ctx.out.println("kept: " + k);
      }
      if (survey.empty()) {
        ctx.out.println(
            "nothing to destroy: cdr has made nothing here for this config (or it was destroyed already)");
        return 0;
      }
      ctx.out.println(
          "cdr made, for "
              + ctx.configPath().map(Object::toString).orElse("the default config under ./data")
              + ":");
      for (Footprint.Part p : survey.parts()) {
        ctx.out.println("  " + p.what() + ": " + p.detail());
      }
      ctx.out.flush();
      if (dryRun) {
        ctx.out.println("dry run: nothing was removed");
        return 0;
      }
      if (!yes) {
        try (Prompts ask = prompts.get()) {
          if (!ask.yes("Remove all of this? It cannot be undone.", false)) {
            ctx.out.println("nothing was removed");
            return 1;
          }
        }
      }
      for (Footprint.Part p : survey.parts()) {
        ctx.out.println("removed " + p.what() + ": " + p.removal().remove());
        ctx.out.flush();
      }
      List<String> never = footprint.untouchableNames();
      ctx.out.println(
          "destroyed: cdr's data for this config is gone; "
              + String.join(" and ", never)
              + (never.size() == 1 ? " was" : " were")
              + " not touched"
              + (survey.kept().isEmpty() ? "" : ", and what is listed as kept is still there"));
      return 0;
    } finally {
      footprint.close();
    }
  }

  /**
   * A background runner ('cdr start --async') still writes its log and closes the catalog for a
   * moment after its execution ended: destroy waits for the process to end, and refuses if it goes
   * on running (its execution not claimed yet, or running long).
   */
  private static void awaitRunners(AppContext ctx, Config config) throws InterruptedException {
    List<String> alive = BackgroundRunner.alive(config.stateDir());
    if (alive.isEmpty()) {
      return;
    }
    ctx.err.println(
        "waiting for the background run of " + String.join(", ", alive) + " to end ...");
    ctx.err.flush();
    alive = BackgroundRunner.awaitAll(config.stateDir(), RUNNER_WAIT);
    if (!alive.isEmpty()) {
      String id = alive.get(0);
      throw new UserException(
          "execution "
              + id
              + " is still run by a background process (its output: "
              + BackgroundRunner.log(config.stateDir(), id)
              + "): wait for it to end, or stop it ('cdr executions stop "
              + id
              + "'), then run destroy again");
    }
  }

  /**
   * A running service or execution would write again what destroy removes (and a service would make
   * the catalog anew): both must be stopped first.
   */
  private static void refuseWhileRunning(AppContext ctx, Config config) {
    int port = config.server().port();
    if (port > 0) {
      String host = config.server().host();
      String probe =
          host.equals("0.0.0.0") || host.equals("::")
              ? "127.0.0.1"
              : host.contains(":") ? "[" + host + "]" : host;
      URI health = URI.create("http://" + probe + ":" + port + "/health");
      try {
        HttpResponse<String> r =
            HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(1))
                .build()
                .send(
                    HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("ok")) {
          throw new UserException(
              "a cdr service answers on "
                  + health.resolve("/")
                  + ": stop it first (Ctrl-C, or 'systemctl stop' of its unit), then run destroy again");
        }
      } catch (IOException e) {
        // nothing listens there: no service
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (config.catalogDialect() instanceof SqliteDialect sqlite) {
      Path file = Path.of(sqlite.location()).toAbsolutePath();
      List<io.cdrpipeline.store.StoreLocation> cdrs = new ArrayList<>(List.of(config.cdrBucket()));
      config.additionalCdrBucket().ifPresent(cdrs::add);
      if (cdrs.stream().anyMatch(c -> Nesting.inside(file, c))) {
        return; // a catalog inside a CDR bucket is not even opened: reading SQLite writes beside
        // the file
      }
    }
    Optional<Database> db = Database.openExisting(config.catalogUrl());
    if (db.isEmpty()
        || !db.get().tables().containsAll(List.of(Database.HISTORY_TABLE, "executions"))) {
      return; // no executions: nothing runs them
    }
    ExecutionStore store = new ExecutionStore(new Catalog(db.get()));
    List<Execution> running;
    try {
      running = store.running();
    } catch (RuntimeException e) {
      return; // a catalog of another version: the survey says what it holds
    }
    try (Topic none = Topic.of(List.of(), RetryPolicy.defaults());
        Executor judge =
            new Executor(store, Map.of(), none, Clock.systemUTC(), Executor.Settings.defaults())) {
      for (Execution e : running) {
        if (!judge.isOrphaned(e)) {
          throw new UserException(
              "execution "
                  + e.id()
                  + " is running (owner "
                  + e.owner().orElse("?")
                  + "): stop it ('cdr executions stop "
                  + e.id()
                  + "') or the service that runs it, then run destroy again");
        }
      }
    }
  }
}
