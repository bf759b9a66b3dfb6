package io.cdrpipeline.workflow;

import io.cdrpipeline.catalog.Catalog;
import java.time.Instant;
import java.util.Optional;

/** The last fire time each schedule handled, taken by exactly one process per fire. */
final class ScheduleFires {
  private final Catalog catalog;

  ScheduleFires(Catalog catalog) {
    this.catalog = catalog;
  }

  /** The last fire time a schedule handled. */
  Optional<Instant> lastFire(String schedule) {
    return catalog
        .query(
            "SELECT last_fire FROM schedule_runs WHERE schedule_name = ?",
            rs -> Instant.parse(rs.getString(1)),
            schedule)
        .stream()
        .findFirst();
  }

  /** Records the first fire time of a schedule seen, if none is recorded yet. */
  void initLastFire(String schedule, Instant at) {
    catalog.run(
        "INSERT INTO schedule_runs (schedule_name, last_fire) VALUES (?, ?) ON CONFLICT (schedule_name) DO NOTHING",
        schedule,
        at.toString());
  }

  /**
   * Moves a schedule's last fire time forward to {@code fire}; true for exactly one of several
   * processes handling the same fire.
   */
  boolean takeFire(String schedule, Instant fire) {
    initLastFire(schedule, Instant.EPOCH);
    return catalog.run(
            "UPDATE schedule_runs SET last_fire = ? WHERE schedule_name = ? AND last_fire < ?",
            fire.toString(),
            schedule,
            fire.toString())
        == 1;
  }
}
