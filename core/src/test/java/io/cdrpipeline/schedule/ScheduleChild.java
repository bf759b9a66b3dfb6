package io.cdrpipeline.schedule;

import io.cdrpipeline.catalog.Catalog;
import io.cdrpipeline.catalog.Database;
import io.cdrpipeline.workflow.Executor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** A second service instance in its own JVM: runs the schedule on a catalog URL until killed. */
public final class ScheduleChild {
  private ScheduleChild() {}

  public static void main(String[] args) throws Exception {
    Database db = Database.open(args[0]);
    Clock clock = Clock.systemUTC();
    try (Executor ex = ScheduleRunnerTest.executor(new Catalog(db), clock);
        ScheduleRunner runner =
            new ScheduleRunner(
                ex,
                List.of(new ScheduleRunner.Entry("full", ScheduleExpression.parse(args[1]))),
                clock,
                db,
                System.out::println)) {
      runner.start();
      System.out.println("started");
      System.out.flush();
      Thread.currentThread().join(); // until the test kills it
    }
  }

  static Process start(String url, String expression) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            javaBin,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            ScheduleChild.class.getName(),
            url,
            expression)
        .redirectErrorStream(true)
        .start();
  }
}
