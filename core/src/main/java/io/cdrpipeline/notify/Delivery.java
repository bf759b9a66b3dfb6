package io.cdrpipeline.notify;

import java.util.Objects;
import java.util.Optional;

/** One subscriber's delivery outcome. */
public record Delivery(String subscriber, boolean delivered, int attempts, Optional<String> error) {
  public Delivery {
    Objects.requireNonNull(subscriber, "subscriber");
    Objects.requireNonNull(error, "error");
  }
}
