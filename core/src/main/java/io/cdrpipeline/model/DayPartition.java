package io.cdrpipeline.model;

import java.time.LocalDate;
import java.util.Objects;

/** One UTC day of CDRs: a raw day folder and a processed partition. */
public record DayPartition(LocalDate date) implements Comparable<DayPartition> {
  public DayPartition {
    Objects.requireNonNull(date, "date");
  }

  /** The folder path of the raw layout, {@code YYYY/MM/DD}. */
  public String rawPath() {
    return String.format(
        "%04d/%02d/%02d", date.getYear(), date.getMonthValue(), date.getDayOfMonth());
  }

  /** The Hive-style partition path, {@code year=YYYY/month=MM/day=DD}. */
  public String hivePath() {
    return String.format(
        "year=%04d/month=%02d/day=%02d",
        date.getYear(), date.getMonthValue(), date.getDayOfMonth());
  }

  @Override
  public int compareTo(DayPartition o) {
    return date.compareTo(o.date);
  }

  @Override
  public String toString() {
    return date.toString();
  }
}
