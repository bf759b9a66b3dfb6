package io.cdrpipeline.app.spark;

import java.util.Objects;
import java.util.Optional;

/**
 * The ETL application's runs on one managed service: started, found again, asked for their state,
 * stopped. One class per service ({@link GlueJobs}, {@link EmrSteps}); the following, the
 * checkpoint and the result are {@link ServiceEtl}'s.
 */
interface ServiceJobs extends AutoCloseable {

  /** The service's name as the checkpoint keeps it ({@code glue}, {@code emr}). */
  String service();

  /** How messages name one run ("Glue job run", "EMR step"). */
  String noun();

  /** Where the runs go ("job cdr-etl", "cluster j-..."), for messages. */
  String where();

  /**
   * Starts a run of {@code r} that carries {@code tag} and reads the config copy at {@code
   * configUrl}; the run's id.
   */
  String start(SparkJob.Request r, String tag, String configUrl);

  /**
   * The run that carries {@code tag}, if the service has one: a start whose answer was lost with
   * the process that sent it.
   */
  Optional<String> find(String tag);

  /** The run's state now. */
  RunState state(String id);

  /** Asks the service to stop the run (it ends a little later). */
  void stop(String id);

  @Override
  void close();

  /** Where a run is: still going, ended well, or ended without its work done. */
  enum Phase {
    ACTIVE,
    SUCCEEDED,
    FAILED
  }

  /**
   * A run's state as the service spells it ({@code RUNNING}, {@code TIMEOUT}, {@code CANCELLED}),
   * its phase, and for a failed run the service's reason.
   */
  record RunState(String state, Phase phase, Optional<String> why) {
    public RunState {
      Objects.requireNonNull(state, "state is null");
      Objects.requireNonNull(phase, "phase is null");
      Objects.requireNonNull(why, "why is null");
    }
  }
}
