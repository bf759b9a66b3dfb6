package io.cdrpipeline.etl;

import java.util.Objects;

/** A raw file that cannot become a row, with the reason in words a user can act on. */
public record Rejection(String sourceKey, String reason) implements NormalizedRecord {
  public Rejection {
    Objects.requireNonNull(sourceKey, "sourceKey");
    Objects.requireNonNull(reason, "reason");
  }
}
