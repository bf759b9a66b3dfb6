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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
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

  @Option(
      names = "--inject",
      paramLabel = "ANOMALY",
      split = ",",
      description = {
        "Inject an anomaly on the first voice connector, for the alarms to catch (repeatable, or",
        "comma-separated): fraud (25 long calls at night to a new country, +252), failing-trunk",
        "(seven calls in ten fail), silent (no call from 14:00 to 18:00 UTC), wangiri (40 calls of",
        "1-3 s to 40 numbers within five minutes), spend-spike (30 long calls to GB),",
        "asr-acd-drop (four completed calls in ten unanswered, the others 20-40 s)."
      })
  List<String> inject = new ArrayList<>();

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Write N consecutive days starting at --date, each with --calls calls; anomalies go on the last day (default: ${DEFAULT-VALUE}).")
  int days;

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
    if (days < 1 || days > 3660) {
      throw new UserException("--days: " + days + " is not a number of days (1 to 3660)");
    }
    Set<CdrGenerator.Anomaly> anomalies = new TreeSet<>();
    for (String a : inject) {
      String id = a.trim().toLowerCase(Locale.ROOT);
      anomalies.add(
          Arrays.stream(CdrGenerator.Anomaly.values())
              .filter(x -> x.id().equals(id))
              .findFirst()
              .orElseThrow(
                  () ->
                      new UserException(
                          "--inject: unknown anomaly '"
                              + a
                              + "' (fraud, failing-trunk, silent, wangiri, spend-spike, asr-acd-drop)")));
    }
    StoreLocation location =
        bucket == null ? ctx.config().cdrBucket() : StoreLocation.parse(bucket, ctx.workingDir());
    Instant started = Instant.now();
    try (ObjectStore store = ObjectStores.open(location, ctx.config().s3())) {
      CdrGenerator gen = new CdrGenerator(store);
      CdrGenerator.Result r = null;
      int files = 0;
      for (int i = 0; i < days; i++) {
        boolean last = i == days - 1;
        r =
            gen.generate(
                day.plusDays(i),
                calls,
                connectors,
                seed,
                malformed,
                null,
                last ? anomalies : Set.of());
        files += r.files();
      }
      double s = Duration.between(started, Instant.now()).toMillis() / 1000.0;
      ctx.out.printf(
          "wrote %d CDR files%s for %s to %s (%d voice connectors: %s)%s in %.1f s%n",
          files,
          r.malformed() > 0 ? " and " + r.malformed() * days + " malformed files" : "",
          days == 1 ? day.toString() : day + " to " + day.plusDays(days - 1),
          location.display(),
          r.connectors().size(),
          String.join(", ", r.connectors()),
          anomalies.isEmpty()
              ? ""
              : ", injected on "
                  + r.connectors().get(0)
                  + ": "
                  + String.join(", ", anomalies.stream().map(CdrGenerator.Anomaly::id).toList()),
          s);
    }
    return 0;
  }
}
