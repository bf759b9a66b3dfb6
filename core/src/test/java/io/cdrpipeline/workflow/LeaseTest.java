package io.cdrpipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.notify.Topic;
import io.cdrpipeline.testing.Pipeline;
import io.cdrpipeline.testing.Postgres;
import io.cdrpipeline.testing.WebhookReceiver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Leases of executions across processes, on SQLite and on PostgreSQL: judged on the database's
 * clock, and fenced, so an owner frozen past its lease neither writes nor notifies when it wakes
 * up.
 */
class LeaseTest {
  @TempDir Path tmp;
  WebhookReceiver hook;

  @BeforeEach
  void setUp() throws Exception {
    hook = new WebhookReceiver();
  }

  @AfterEach
  void tearDown() {
    hook.close();
  }

  String catalogUrl(String db) {
    return db.equals("postgresql")
        ? Postgres.freshDatabase()
        : "jdbc:sqlite:" + tmp.resolve("catalog.db");
  }

  Executor executor(Pipeline p, Clock clock, Duration staleAfter) {
    Topic topic =
        Topic.of(
            List.of(new Subscription.Webhook(hook.url(), Optional.empty(), "X-Cdr-Secret")),
            new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1)));
    return new Executor(
        new ExecutionStore(p.catalog),
        Workflows.definitions(
            new ScriptedActions(),
            topic,
            Workflows.Timeouts.defaults(),
            Duration.ofHours(1),
            clock),
        topic,
        clock,
        new Executor.Settings(Duration.ofMillis(100), staleAfter, 1, Duration.ofMillis(1)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sqlite", "postgresql"})
  void leasesAreJudgedOnTheDatabasesClockNotOnTheHosts(String db) throws Exception {
    Pipeline p = new Pipeline(tmp, null, catalogUrl(db));
    Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-2));
    Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    try (Executor owner =
            executor(p, behind, Duration.ofSeconds(30)); // its host's clock is two hours slow
        Executor other = executor(p, ahead, Duration.ofSeconds(30))) { // this one's two hours fast
      Execution e =
          owner.start(Workflows.DAILY, Workflows.input("Date", "2026-11-27"), "test", true);
      Instant beat = e.heartbeatAt().orElseThrow();
      assertThat(Duration.between(beat, Instant.now()).abs())
          .as("stamped by the database")
          .isLessThan(Duration.ofMinutes(1));
      assertThat(other.isOrphaned(e)).isFalse();
      assertThat(other.orphans()).isEmpty();
      assertThat(other.claim(e)).isFalse();
      assertThat(owner.store().get(e.id()).orElseThrow().owner()).contains(owner.owner());

      // once its heartbeats stop for longer than the lease (by the database's clock), it is taken
      // over
      try (Executor quick = executor(p, ahead, Duration.ofMillis(500))) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean won = false;
        while (!won && System.nanoTime() < deadline) {
          won = quick.claim(owner.store().get(e.id()).orElseThrow());
          if (!won) {
            Thread.sleep(50);
          }
        }
        assertThat(won).isTrue();
        assertThat(owner.store().get(e.id()).orElseThrow().owner()).contains(quick.owner());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sqlite", "postgresql"})
  void anOwnerFrozenPastItsLeaseIsTakenOverAndWhenContinuedNeitherWritesNorNotifies(String db)
      throws Exception {
    String url = catalogUrl(db);
    Pipeline p = new Pipeline(tmp, null, url); // migrates the catalog before the child opens it
    Path release = tmp.resolve("release");
    Process child = OwnerChild.start(url, hook.url(), "2026-11-27", release);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    List<String> all = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  all.add(line);
                  lines.add(line);
                }
              } catch (Exception ignored) {
                // the child is gone
              }
              lines.add("<eof>");
            },
            "child-output");
    reader.setDaemon(true);
    reader.start();
    try (Executor taker = executor(p, Clock.systemUTC(), Duration.ofSeconds(3))) {
      String id = awaitLine(lines, "started ").substring("started ".length());
      awaitLine(lines, "in etl");
      ExecutionStore store = taker.store();
      assertThat(taker.claim(store.get(id).orElseThrow()))
          .as("a live owner keeps its execution")
          .isFalse();

      signal("STOP", child.pid());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      boolean won = false;
      while (!won && System.nanoTime() < deadline) {
        won = taker.claim(store.get(id).orElseThrow());
        if (!won) {
          Thread.sleep(50);
        }
      }
      assertThat(won).as("taken over once the frozen owner's lease ran out").isTrue();
      Execution done = taker.run(id, null);
      assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(hook.await(1, 5000)).hasSize(1);
      List<ExecutionEvent> afterTakeover = store.events(id);

      Files.createFile(release); // the frozen owner's step can now end too
      signal("CONT", child.pid());
      String end = awaitLine(lines, "ended ");
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(end).isEqualTo("ended SUCCEEDED -"); // as the taker left it
      assertThat(all.subList(all.indexOf("in etl"), all.size()))
          .as("what the owner wrote after it was frozen")
          .noneMatch(l -> l.startsWith("wrote "));
      assertThat(store.events(id)).isEqualTo(afterTakeover);
      assertThat(hook.received).hasSize(1);
      assertThat(hook.received.get(0).get("executionId").asText()).isEqualTo(id);
    } finally {
      signal("CONT", child.pid());
      io.cdrpipeline.testing.Processes.kill(child);
    }
  }

  /** The first line starting with {@code prefix} (earlier ones are passed over), within 60 s. */
  static String awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && l.startsWith(prefix)) {
        return l;
      }
      if ("<eof>".equals(l)) {
        throw new AssertionError("the child ended before printing '" + prefix + "'");
      }
    }
    throw new AssertionError("no line '" + prefix + "' within 60 s");
  }

  static void signal(String name, long pid) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }
}
