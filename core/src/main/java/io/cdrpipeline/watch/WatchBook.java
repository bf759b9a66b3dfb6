package io.cdrpipeline.watch;

import io.cdrpipeline.catalog.Catalog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/**
 * The watch's bookkeeping in the catalog database (migration V11): the batches, staged before their
 * Iceberg commit and promoted after it, and the raw objects each took.
 */
final class WatchBook {
  static final String STAGED = "staged";
  static final String COMMITTED = "committed";

  private final Catalog catalog;

  WatchBook(Catalog catalog) {
    this.catalog = catalog;
  }

  /** A raw object taken by a batch: its day, the index of its bucket and its key. */
  record TakenKey(LocalDate day, int source, String key) {}

  /** A file a batch quarantined. */
  record Quarantined(LocalDate day, String sourceKey, String reason) {}

  /** A batch staged and not yet promoted or discarded. */
  record StagedBatch(String batchId, Instant startedAt, List<LocalDate> days, List<String> files) {}

  /** A batch committed: its order and id. */
  record CommittedBatch(long seq, String batchId) {}

  /**
   * Records a batch before its commit, in one transaction: the batch (with the files it wrote), its
   * keys and its quarantine. Returns its sequence number.
   */
  long stage(
      String batchId,
      Instant startedAt,
      List<LocalDate> days,
      List<TakenKey> keys,
      List<Quarantined> quarantined,
      long rows,
      String digest,
      List<String> files) {
    return catalog.inTransaction(
        c -> {
          long seq;
          try (PreparedStatement ps = c.prepareStatement("SELECT MAX(seq) FROM watch_batches");
              ResultSet rs = ps.executeQuery()) {
            seq = rs.next() ? rs.getLong(1) + 1 : 1;
          }
          Catalog.exec(
              c,
              "INSERT INTO watch_batches (batch_id, seq, status, started_at, days, objects, rows_written, "
                  + "rejected, digest, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              batchId,
              seq,
              STAGED,
              startedAt.toString(),
              days.stream().map(LocalDate::toString).reduce((a, b) -> a + "," + b).orElse(""),
              (long) keys.size(),
              rows,
              (long) quarantined.size(),
              digest,
              String.join("\n", files));
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO watch_keys (day, source, object_key, batch_id) VALUES (?, ?, ?, ?)")) {
            int n = 0;
            for (TakenKey k : keys) {
              ps.setString(1, k.day().toString());
              ps.setInt(2, k.source());
              ps.setString(3, k.key());
              ps.setString(4, batchId);
              ps.addBatch();
              if (++n % 5000 == 0) {
                ps.executeBatch();
              }
            }
            ps.executeBatch();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO watch_quarantine (batch_id, day, source_key, reason, detected_at) "
                      + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (batch_id, source_key) DO NOTHING")) {
            for (Quarantined q : quarantined) {
              ps.setString(1, batchId);
              ps.setString(2, q.day().toString());
              ps.setString(3, q.sourceKey());
              ps.setString(4, q.reason());
              ps.setString(5, startedAt.toString());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return seq;
        });
  }

  /**
   * Marks a batch committed by the snapshot and moves its quarantine to the days' quarantine (where
   * the daily ETL's replacement of a day later replaces it), in one transaction.
   */
  void promote(String batchId, long snapshotId, Instant at) {
    catalog.inTransaction(
        c -> {
          Catalog.exec(
              c,
              "UPDATE watch_batches SET status = ?, committed_at = ?, snapshot_id = ? WHERE batch_id = ?",
              COMMITTED,
              at.toString(),
              snapshotId,
              batchId);
          Catalog.exec(
              c,
              "INSERT INTO quarantine (day, source_key, reason, detected_at, run_id) SELECT day, source_key, "
                  + "reason, detected_at, batch_id FROM watch_quarantine WHERE batch_id = ? "
                  + "ON CONFLICT (day, source_key) DO NOTHING",
              batchId);
          Catalog.exec(c, "DELETE FROM watch_quarantine WHERE batch_id = ?", batchId);
          return null;
        });
  }

  /** Forgets a batch that did not commit: its keys are taken again by the next poll. */
  void discard(String batchId) {
    catalog.inTransaction(
        c -> {
          Catalog.exec(c, "DELETE FROM watch_keys WHERE batch_id = ?", batchId);
          Catalog.exec(c, "DELETE FROM watch_quarantine WHERE batch_id = ?", batchId);
          Catalog.exec(c, "DELETE FROM watch_batches WHERE batch_id = ?", batchId);
          return null;
        });
  }

  /** The batches staged and neither promoted nor discarded. */
  List<StagedBatch> staged() {
    return catalog.query(
        "SELECT batch_id, started_at, days, files FROM watch_batches WHERE status = ? ORDER BY seq",
        rs ->
            new StagedBatch(
                rs.getString(1),
                Instant.parse(rs.getString(2)),
                Arrays.stream(rs.getString(3).split(","))
                    .filter(s -> !s.isEmpty())
                    .map(LocalDate::parse)
                    .toList(),
                Arrays.stream(rs.getString(4).split("\n")).filter(s -> !s.isEmpty()).toList()),
        STAGED);
  }

  /** The batches committed after {@code seq}, in order. */
  List<CommittedBatch> committedAfter(long seq) {
    return catalog.query(
        "SELECT seq, batch_id FROM watch_batches WHERE status = ? AND seq > ? ORDER BY seq",
        rs -> new CommittedBatch(rs.getLong(1), rs.getString(2)),
        COMMITTED,
        seq);
  }

  /** Hears one taken object. */
  @FunctionalInterface
  interface KeySink {
    void accept(LocalDate day, int source, String key);
  }

  /** The objects a batch took. */
  void keysOf(String batchId, KeySink sink) {
    catalog.query(
        "SELECT day, source, object_key FROM watch_keys WHERE batch_id = ?",
        rs -> {
          sink.accept(LocalDate.parse(rs.getString(1)), rs.getInt(2), rs.getString(3));
          return null;
        },
        batchId);
  }

  /** The objects of a day taken by committed batches, streamed. */
  void committedKeys(LocalDate day, KeySink sink) {
    catalog.query(
        "SELECT k.source, k.object_key FROM watch_keys k JOIN watch_batches b ON b.batch_id = k.batch_id "
            + "WHERE k.day = ? AND b.status = ?",
        rs -> {
          sink.accept(day, rs.getInt(1), rs.getString(2));
          return null;
        },
        day.toString(),
        COMMITTED);
  }

  /** The newest committed batch's sequence number, 0 without any. */
  long lastCommittedSeq() {
    List<Long> r =
        catalog.query(
            "SELECT MAX(seq) FROM watch_batches WHERE status = ?", rs -> rs.getLong(1), COMMITTED);
    return r.isEmpty() ? 0 : r.get(0);
  }

  /**
   * Forgets the keys of a day the daily ETL has replaced (the table holds the day from all its raw
   * objects). The batches stay, as history. Returns the keys forgotten.
   */
  int forgetDay(LocalDate day) {
    return catalog.run("DELETE FROM watch_keys WHERE day = ?", day.toString());
  }

  /**
   * Forgets the keys of the days before {@code day}: no poll looks at them again (their rows stay
   * in the table until the ETL replaces the day). Returns the keys forgotten.
   */
  int forgetBefore(LocalDate day) {
    return catalog.run("DELETE FROM watch_keys WHERE day < ?", day.toString());
  }

  /** True when the catalog has keys of the day. */
  boolean hasKeys(LocalDate day) {
    return !catalog
        .query("SELECT 1 FROM watch_keys WHERE day = ? LIMIT 1", rs -> rs.getInt(1), day.toString())
        .isEmpty();
  }
}
