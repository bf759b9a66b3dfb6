package io.cdrpipeline.alarm;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One recorded firing of an alarm: open ({@link State#FIRING}) while the alarm keeps firing, {@link
 * State#RESOLVED} once it cleared. The window and evidence are those of the latest evaluation that
 * found it firing.
 */
public record AlarmFiring(
    String id,
    String alarm,
    String rule,
    State state,
    Instant firedAt,
    Optional<Instant> resolvedAt,
    Instant windowFrom,
    Instant windowTo,
    List<String> connectors,
    Evidence evidence,
    Optional<Instant> acknowledgedAt,
    Optional<String> acknowledgedBy) {

  /** Whether the alarm still fires. */
  public enum State {
    FIRING,
    RESOLVED
  }

  public AlarmFiring {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    connectors = List.copyOf(connectors);
  }

  public boolean acknowledged() {
    return acknowledgedAt.isPresent();
  }
}
