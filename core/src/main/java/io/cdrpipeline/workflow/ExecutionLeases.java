package io.cdrpipeline.workflow;

import io.cdrpipeline.catalog.Catalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who owns each running execution: claims, heartbeats and stale leases, all on the database's
 * clock.
 */
final class ExecutionLeases {
  private final Catalog catalog;

  /** SQL for the database's current time, as stored. */
  private final String now;

  /** SQL for the database's current time minus a bound number of milliseconds, as stored. */
  private final String nowMinusMillis;

  ExecutionLeases(Catalog catalog, String now, String nowMinusMillis) {
    this.catalog = catalog;
    this.now = now;
    this.nowMinusMillis = nowMinusMillis;
  }

  boolean claim(String id, String expectedOwner, String newOwner, Optional<Duration> staleAfter) {
    StringBuilder sql =
        new StringBuilder(
            "UPDATE executions SET owner = ?, heartbeat_at = "
                + now
                + " WHERE id = ? AND status = 'RUNNING' AND ");
    List<Object> args = new ArrayList<>(List.of(newOwner, id));
    if (expectedOwner == null) {
      sql.append("owner IS NULL");
    } else {
      sql.append("owner = ?");
      args.add(expectedOwner);
    }
    staleAfter.ifPresent(
        d -> {
          sql.append(" AND (heartbeat_at IS NULL OR heartbeat_at < ")
              .append(nowMinusMillis)
              .append(")");
          args.add(d.toMillis());
        });
    return catalog.run(sql.toString(), args.toArray()) == 1;
  }

  boolean isStale(String id, String owner, Duration staleAfter) {
    return !catalog
        .query(
            "SELECT id FROM executions WHERE id = ? AND owner = ? AND status = 'RUNNING' "
                + "AND (heartbeat_at IS NULL OR heartbeat_at < "
                + nowMinusMillis
                + ")",
            rs -> rs.getString(1),
            id,
            owner,
            staleAfter.toMillis())
        .isEmpty();
  }

  Set<String> staleRunning(Duration staleAfter) {
    return Set.copyOf(
        catalog.query(
            "SELECT id FROM executions WHERE status = 'RUNNING' AND owner IS NOT NULL "
                + "AND (heartbeat_at IS NULL OR heartbeat_at < "
                + nowMinusMillis
                + ")",
            rs -> rs.getString(1),
            staleAfter.toMillis()));
  }

  ExecutionStore.Lease heartbeat(String id, String owner) {
    if (catalog.run(
            "UPDATE executions SET heartbeat_at = "
                + now
                + " WHERE id = ? AND owner = ? AND status = 'RUNNING'",
            id,
            owner)
        == 0) {
      return ExecutionStore.Lease.LOST;
    }
    boolean stop =
        catalog
            .query("SELECT stop_requested FROM executions WHERE id = ?", rs -> rs.getInt(1), id)
            .stream()
            .anyMatch(v -> v != 0);
    return stop ? ExecutionStore.Lease.STOP_REQUESTED : ExecutionStore.Lease.OWNED;
  }
}
