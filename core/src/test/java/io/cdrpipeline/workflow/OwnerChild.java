package io.cdrpipeline.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.notify.RetryPolicy;
import io.cdrpipeline.notify.Subscription;
import io.cdrpipeline.notify.Topic;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The owner of a daily execution in its own JVM, for tests that freeze it: its etl step says {@code
 * in etl} and waits until a release file exists; it prints every event it writes and, at the end,
 * how the execution stood.
 */
public final class OwnerChild {
  private OwnerChild() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    URI hook = URI.create(args[1]);
    String date = args[2];
    Path release = Path.of(args[3]);
    Topic topic =
        Topic.of(
            List.of(new Subscription.Webhook(hook, Optional.empty(), "X-Cdr-Secret")),
            new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1)));
    PipelineActions actions =
        new ForwardingActions(new ScriptedActions()) {
          @Override
          public ObjectNode etlDay(LocalDate day) throws Exception {
            System.out.println("in etl");
            System.out.flush();
            while (!Files.exists(release)) {
              try {
                Thread.sleep(20);
              } catch (InterruptedException deaf) {
                // deaf to interrupts, as a step in blocking I/O may be: it ends when released
              }
            }
            return super.etlDay(day);
          }
        };
    Clock clock = Clock.systemUTC();
    try (Executor ex =
        new Executor(
            new ExecutionStore(new Catalog(Database.open(url))),
            Workflows.definitions(
                actions, topic, Workflows.Timeouts.defaults(), Duration.ofHours(1), clock),
            topic,
            clock,
            new Executor.Settings(
                Duration.ofSeconds(1), Duration.ofSeconds(30), 1, Duration.ofMillis(1)))) {
      Execution e = ex.start(Workflows.DAILY, Workflows.input("Date", date), "child", true);
      System.out.println("started " + e.id());
      System.out.flush();
      Execution end =
          ex.run(
              e.id(),
              ev -> {
                System.out.println("wrote " + ev.type());
                System.out.flush();
              });
      System.out.println("ended " + end.status() + " " + end.owner().orElse("-"));
      System.out.flush();
    }
    System.exit(0);
  }

  static Process start(String url, URI hook, String date, Path release) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                javaBin,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                OwnerChild.class.getName(),
                url,
                hook.toString(),
                date,
                release.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }
}
