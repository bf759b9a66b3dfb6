package io.cdrpipeline.table;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.util.Tasks;

/**
 * How a commit to the table is retried when another writer moved the table meanwhile (a {@link
 * CommitFailedException}): at most {@link #RETRIES} times, with Iceberg's default backoff.
 * Iceberg's snapshot operations (a day's overwrite, snapshot expiry, the manifest rewrite) retry
 * inside their own commit as the table's {@code commit.retry.num-retries} says, which a new table
 * gets from here; {@link #run} retries the updates Iceberg does not (a schema change), reading the
 * table again before each attempt. One layer either way.
 */
final class CommitRetry {
  /** Retries of a commit after the first attempt. */
  static final int RETRIES = 10;

  private CommitRetry() {}

  /**
   * Runs {@code attempt} (which builds its change from the table as it is and commits it), again
   * after reading the table anew when it fails with a {@link CommitFailedException} or one of
   * {@code conflicts}; its result.
   */
  @SafeVarargs
  static <T> T run(
      Table table, Supplier<T> attempt, Class<? extends RuntimeException>... conflicts) {
    AtomicReference<T> result = new AtomicReference<>();
    boolean[] first = {true};
    Class<?>[] retryOn = new Class<?>[conflicts.length + 1];
    retryOn[0] = CommitFailedException.class;
    System.arraycopy(conflicts, 0, retryOn, 1, conflicts.length);
    Tasks.foreach(table)
        .retry(RETRIES)
        .exponentialBackoff(
            TableProperties.COMMIT_MIN_RETRY_WAIT_MS_DEFAULT,
            TableProperties.COMMIT_MAX_RETRY_WAIT_MS_DEFAULT,
            TableProperties.COMMIT_TOTAL_RETRY_TIME_MS_DEFAULT,
            2.0)
        .shouldRetryTest(e -> Arrays.stream(retryOn).anyMatch(c -> c.isInstance(e)))
        .throwFailureWhenFinished()
        .run(
            t -> {
              if (!first[0]) {
                t.refresh(); // another writer changed it: build the change again from what it wrote
              }
              first[0] = false;
              result.set(attempt.get());
            });
    return result.get();
  }
}
