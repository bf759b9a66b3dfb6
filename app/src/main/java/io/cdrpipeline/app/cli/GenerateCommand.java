package io.cdrpipeline.app.cli;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.app.context.Commands;
import io.cdrpipeline.app.context.UserException;
import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.store.ObjectStore;
import io.cdrpipeline.store.ObjectStores;
import io.cdrpipeline.store.StoreLocation;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Write realistic synthetic CDRs for one day, in the real bucket layout.",
      "Layout:",
      "  <bucket>/Amazon-Chime-Voice-Connector-CDRs/json/<VoiceConnectorId>/YYYY/MM/DD/HH.MM.SS.mmm_<TransactionId>",
      "The same seed writes the same files, so re-running is safe."
    })
public final class GenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--bucket",
      paramLabel = "DIR",
      description =
          "Bucket folder (or s3://bucket) to write into (default: cdrBucket of the config).")
  String bucket;

  @Option(
      names = "--date",
      required = true,
      paramLabel = "YYYY-MM-DD",
      description = "Delivery day of the CDRs (UTC).")
  String date;

  @Option(
      names = "--calls",
      required = true,
      paramLabel = "N",
      description = "Number of calls (one file each).")
  int calls;

  @Option(
      names = "--connectors",
      paramLabel = "K",
      defaultValue = "2",
      description = "Number of voice connectors (default: ${DEFAULT-VALUE}).")
  int connectors;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--malformed",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Also write N bad files (empty, not JSON, array, no CallId, wrong type) to see the quarantine (default: ${DEFAULT-VALUE}).")
  int malformed;

  @Override
  public Integer call() throws Exception {
    AppContext ctx = Commands.context(spec);
    LocalDate day = Commands.date("--date", date);
    if (calls < 0) {
      throw new UserException("--calls: " + calls + " is not a number of calls (0 or more)");
    }
    if (connectors < 1) {
      throw new UserException(
          "--connectors: " + connectors + " is not a number of voice connectors (1 or more)");
    }
    if (malformed < 0) {
      throw new UserException(
          "--malformed: " + malformed + " is not a number of files (0 or more)");
    }
    StoreLocation location =
        bucket == null ? ctx.config().cdrBucket() : StoreLocation.parse(bucket, ctx.workingDir());
    Instant started = Instant.now();
    try (ObjectStore store = ObjectStores.open(location, ctx.config().s3())) {
      CdrGenerator.Result r =
          new CdrGenerator(store).generate(day, calls, connectors, seed, malformed, null);
      double s = Duration.between(started, Instant.now()).toMillis() / 1000.0;
      ctx.out.printf(
          "wrote %d CDR files%s for %s to %s (%d voice connectors: %s) in %.1f s%n",
          r.files(),
          r.malformed() > 0 ? " and " + r.malformed() + " malformed files" : "",
          day,
          location.display(),
          r.connectors().size(),
          String.join(", ", r.connectors()),
          s);
    }
    return 0;
  }
}
