package io.cdrpipeline.generate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Writes realistic synthetic Voice Connector CDRs in the real bucket layout, the same files for the
 * same seed: North American and international numbers (some written without '+'), inbound and
 * outbound calls, a few failed calls, older schema versions, start times over the day. Optionally
 * adds malformed files of every kind the ETL must quarantine.
 */
public final class CdrGenerator {
  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter OBJECT_TIME =
      DateTimeFormatter.ofPattern("HH.mm.ss.SSS").withZone(ZoneOffset.UTC);
  private static final String[] NPAS = {
    "206", "253", "360", "425", "503", "541", "971", "212", "646", "917", "415", "510", "650",
    "408", "312", "773", "617", "202", "305", "713", "214", "480", "602", "303", "404", "416", "604"
  };
  private static final String[][] INTERNATIONAL = {
    {"GB", "+4420"}, {"DE", "+4930"}, {"FR", "+331"}, {"AU", "+612"}, {"JP", "+813"},
    {"MX", "+5255"}, {"IN", "+9122"}, {"BR", "+5511"}, {"ES", "+3491"}, {"IE", "+3531"}
  };
  private static final String[] NAMES = {
    "Alice Smith",
    "José Müller",
    "Zoë Ødegaard",
    "田中 太郎",
    "Олена Коваль",
    "O'Brien & Sons",
    "محمد علي",
    "Ana \"Ani\" Silva",
    "Renée Dubois",
    "Søren Kierkegaard"
  };
  private static final String[] FAILURES = {
    "Busy Here", "No Answer", "Request Terminated", "Service Unavailable"
  };

  /**
   * What {@code cdr generate --inject} adds to a day, each on the first voice connector: the
   * patterns the alarms catch.
   */
  public enum Anomaly {
    /** 25 long outbound calls between 01:00 and 03:00 UTC to a new country (+252, SO). */
    FRAUD(25),
    /** 70% of the connector's calls fail. */
    FAILING_TRUNK(0),
    /** No call of the connector starts between 14:00 and 18:00 UTC. */
    SILENT(0),
    /** 40 outbound calls of 1 to 3 seconds to 40 numbers within five minutes after 03:02 UTC. */
    WANGIRI(40),
    /** 30 outbound calls of 10 to 15 minutes to GB in the afternoon. */
    SPEND_SPIKE(30),
    /**
     * 40% of the connector's completed calls are never answered and the answered ones last 20 to 40
     * seconds.
     */
    ASR_ACD_DROP(0);

    final int extraCalls;

    Anomaly(int extraCalls) {
      this.extraCalls = extraCalls;
    }

    /** The option's name for it, e.g. {@code failing-trunk}. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** The country and prefix of the fraud anomaly: never called by generated data otherwise. */
  public static final String FRAUD_COUNTRY = "SO";

  public static final String FRAUD_PREFIX = "+252";

  /** The country of the spend-spike anomaly. */
  public static final String SPEND_COUNTRY = "GB";

  static final int SILENT_FROM_HOUR = 14;
  static final int SILENT_TO_HOUR = 18;

  private final ObjectStore store;

  public CdrGenerator(ObjectStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** What was written. */
  public record Result(int files, int malformed, List<String> connectors, long bytes) {}

  /** The connector ids a seed produces, e.g. {@code abcdef1ghij2klmno3pqr4}. */
  public static List<String> connectorIds(int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    List<String> ids = new ArrayList<>();
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < count; i++) {
      StringBuilder b = new StringBuilder(22);
      for (int j = 0; j < 22; j++) {
        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      ids.add(b.toString());
    }
    return ids;
  }

  /**
   * Writes {@code calls} CDRs delivered on {@code date} spread over {@code connectors} voice
   * connectors, plus {@code malformed} bad files; {@code progress} hears the count written.
   */
  public Result generate(
      LocalDate date, int calls, int connectors, long seed, int malformed, LongConsumer progress)
      throws IOException {
    return generate(date, calls, connectors, seed, malformed, progress, Set.of());
  }

  /**
   * As {@link #generate(LocalDate, int, int, long, int, LongConsumer)}, with anomalies injected on
   * the first voice connector ({@link Anomaly}); without any, the same files.
   */
  public Result generate(
      LocalDate date,
      int calls,
      int connectors,
      long seed,
      int malformed,
      LongConsumer progress,
      Set<Anomaly> anomalies)
      throws IOException {
    if (calls < 0 || connectors < 1 || malformed < 0) {
      throw new IllegalArgumentException("calls and malformed must be >= 0 and connectors >= 1");
    }
    List<String> vcs = connectorIds(connectors, seed);
    SplittableRandom r = new SplittableRandom(seed * 31 + date.toEpochDay());
    String account =
        String.format("%012d", Math.floorMod(seed * 7919 + 123456789012L, 1_000_000_000_000L));
    long dayStart = date.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    List<String[]> ownNumbers = new ArrayList<>();
    for (int v = 0; v < vcs.size(); v++) {
      String[] nums = new String[8];
      for (int i = 0; i < nums.length; i++) {
        nums[i] =
            "+1"
                + NPAS[r.nextInt(NPAS.length)]
                + (200 + r.nextInt(800))
                + String.format("%04d", r.nextInt(10000));
      }
      ownNumbers.add(nums);
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            4,
            t -> {
              Thread th = new Thread(t, "generate-writer");
              th.setDaemon(true);
              return th;
            });
    List<Future<Long>> pending = new ArrayList<>();
    long bytes = 0;
    long written = 0;
    int skipped = 0;
    int added = 0;
    try {
      List<String[]> batch = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        int v = r.nextInt(vcs.size());
        String[] f =
            call(
                r,
                vcs.get(v),
                ownNumbers.get(v),
                account,
                dayStart,
                v,
                v == 0 ? anomalies : Set.of());
        if (f == null) {
          skipped++;
          continue;
        }
        batch.add(f);
        if (batch.size() == 500) {
          pending.add(submit(pool, batch));
          batch = new ArrayList<>();
        }
      }
      SplittableRandom x = new SplittableRandom(seed * 17 + date.toEpochDay() * 13 + 5);
      for (Anomaly a : new java.util.TreeSet<>(anomalies)) {
        for (int i = 0; i < a.extraCalls; i++) {
          batch.add(extra(a, x, vcs.get(0), ownNumbers.get(0), account, dayStart, i));
          added++;
        }
      }
      for (int i = 0; i < malformed; i++) {
        batch.add(malformedFile(r, vcs.get(i % vcs.size()), dayStart, i));
      }
      if (!batch.isEmpty()) {
        pending.add(submit(pool, batch));
      }
      for (Future<Long> f : pending) {
        bytes += f.get();
        written += 500;
        if (progress != null) {
          progress.accept(Math.min(written, (long) calls + malformed));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return new Result(calls - skipped + added, malformed, vcs, bytes);
  }

  private Future<Long> submit(ExecutorService pool, List<String[]> files) {
    return pool.submit(
        () -> {
          long b = 0;
          for (String[] f : files) {
            byte[] content = f[1].getBytes(StandardCharsets.UTF_8);
            store.put(f[0], content);
            b += content.length;
          }
          return b;
        });
  }

  private static String uuid(SplittableRandom r) {
    return new UUID(r.nextLong(), r.nextLong()).toString();
  }

  private static String[] call(
      SplittableRandom r,
      String vc,
      String[] own,
      String account,
      long dayStart,
      int vcIndex,
      Set<Anomaly> anomalies)
      throws IOException {
    boolean outbound = r.nextInt(100) < 60;
    boolean failed = r.nextInt(100) < 4;
    if (anomalies.contains(Anomaly.FAILING_TRUNK)) {
      failed = r.nextInt(100) < 70;
    }
    // delivery (end) time over the day, busier in business hours
    long end =
        dayStart + (r.nextInt(100) < 60 ? 13 * 3600 + r.nextInt(9 * 3600) : r.nextInt(86400));
    long duration =
        failed ? r.nextInt(30) : Math.min(7200, 5 + (long) (-Math.log(1 - r.nextDouble()) * 180));
    long billable = failed ? 0 : duration;
    if (anomalies.contains(Anomaly.ASR_ACD_DROP) && !failed) {
      if (r.nextInt(100) < 40) {
        duration = r.nextInt(20); // completed, never answered
        billable = 0;
      } else {
        duration = 20 + r.nextInt(21); // answered, cut short
        billable = duration;
      }
    }
    long start = end - duration;
    if (anomalies.contains(Anomaly.SILENT)
        && start >= dayStart + SILENT_FROM_HOUR * 3600L
        && start < dayStart + SILENT_TO_HOUR * 3600L) {
      return null;
    }
    String mine = own[r.nextInt(own.length)];
    String country;
    String remote;
    if (r.nextInt(100) < 75) {
      country = "US";
      remote =
          "1"
              + NPAS[r.nextInt(NPAS.length)]
              + (200 + r.nextInt(800))
              + String.format("%04d", r.nextInt(10000));
      if (r.nextInt(100) >= 5) {
        remote = "+" + remote;
      }
    } else {
      String[] c = INTERNATIONAL[r.nextInt(INTERNATIONAL.length)];
      country = c[0];
      remote = c[1] + String.format("%07d", r.nextInt(10_000_000));
    }
    String source = outbound ? mine : remote;
    String destination = outbound ? remote : mine;
    boolean v1 = r.nextInt(100) < 10;
    return file(
        r,
        vc,
        account,
        vcIndex,
        outbound,
        failed,
        source,
        destination,
        country,
        start,
        end,
        billable,
        v1,
        dayStart);
  }

  /** A call of an injected anomaly on connector {@code vc}: the {@code i}-th of its kind. */
  private static String[] extra(
      Anomaly a, SplittableRandom r, String vc, String[] own, String account, long dayStart, int i)
      throws IOException {
    String mine = own[r.nextInt(own.length)];
    long start;
    long duration;
    String country;
    String remote;
    switch (a) {
      case FRAUD -> {
        // revenue-share fraud: long calls at night to a country the connector never calls
        start = dayStart + 3600 + r.nextInt(2 * 3600);
        duration = 600 + r.nextInt(600);
        country = FRAUD_COUNTRY;
        remote = FRAUD_PREFIX + String.format("%07d", r.nextInt(10_000_000));
      }
      case WANGIRI -> {
        // one-ring calls to many numbers within five minutes
        start = dayStart + 3 * 3600 + 120 + r.nextInt(300);
        duration = 1 + r.nextInt(3);
        country = "US";
        remote = "+1" + NPAS[i % NPAS.length] + (200 + r.nextInt(800)) + String.format("%04d", i);
      }
      case SPEND_SPIKE -> {
        // long calls to a country it calls every day
        start = dayStart + 14 * 3600 + r.nextInt(6 * 3600);
        duration = 600 + r.nextInt(300);
        country = SPEND_COUNTRY;
        remote = "+4420" + String.format("%07d", r.nextInt(10_000_000));
      }
      default -> throw new IllegalStateException(a + " adds no calls");
    }
    return file(
        r,
        vc,
        account,
        0,
        true,
        false,
        mine,
        remote,
        country,
        start,
        start + duration,
        duration,
        false,
        dayStart);
  }

  private static String[] file(
      SplittableRandom r,
      String vc,
      String account,
      int vcIndex,
      boolean outbound,
      boolean failed,
      String source,
      String destination,
      String country,
      long start,
      long end,
      long billable,
      boolean v1,
      long dayStart)
      throws IOException {
    String region = vcIndex % 2 == 0 ? "us-east-1" : "us-west-2";
    String regionCode = vcIndex % 2 == 0 ? "USE1" : "USW2";
    String transactionId = uuid(r);

    ByteArrayOutputStream out = new ByteArrayOutputStream(700);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("AwsAccountId", account);
      g.writeStringField("TransactionId", transactionId);
      g.writeStringField("CallId", uuid(r));
      g.writeStringField("VoiceConnectorId", vc);
      g.writeStringField("Status", failed ? "Failed" : "Completed");
      g.writeStringField(
          "StatusMessage", failed ? FAILURES[r.nextInt(FAILURES.length)] : "Normal Call Clearing");
      g.writeNumberField("BillableDurationSeconds", billable);
      if (!v1) {
        g.writeNumberField("BillableDurationMinutes", Math.ceil(billable / 6.0) / 10.0);
      }
      g.writeStringField("SchemaVersion", v1 ? "1.0" : "2.0");
      g.writeStringField("SourcePhoneNumber", source);
      if (r.nextInt(100) < 10) {
        g.writeStringField("SourcePhoneNumberName", NAMES[r.nextInt(NAMES.length)]);
      }
      g.writeStringField("SourceCountry", outbound ? "US" : country);
      g.writeStringField("DestinationPhoneNumber", destination);
      if (r.nextInt(100) < 10) {
        g.writeStringField("DestinationPhoneNumberName", NAMES[r.nextInt(NAMES.length)]);
      }
      g.writeStringField("DestinationCountry", outbound ? country : "US");
      g.writeStringField(
          "UsageType",
          regionCode + "-" + country + "-" + (outbound ? "outbound" : "inbound") + "-minutes");
      g.writeStringField("ServiceCode", "AmazonChimeVoiceConnector");
      g.writeStringField("Direction", outbound ? "Outbound" : "Inbound");
      g.writeNumberField("StartTimeEpochSeconds", start);
      g.writeNumberField("EndTimeEpochSeconds", end);
      g.writeStringField("Region", region);
      if (!v1) {
        g.writeBooleanField("Streaming", r.nextInt(100) < 30);
        g.writeBooleanField("IsProxyCall", r.nextInt(100) < 2);
      }
      if (outbound && r.nextInt(100) < 5) {
        g.writeStringField("SipAuthUser", "user" + r.nextInt(1000));
      }
      g.writeEndObject();
    }
    long deliveredMillis = end * 1000 + r.nextInt(1000);
    String name = OBJECT_TIME.format(Instant.ofEpochMilli(deliveredMillis)) + "_" + transactionId;
    return new String[] {
      RawLayout.dayPrefix(vc, LocalDate.ofEpochDay(Math.floorDiv(dayStart, 86400))) + name,
      out.toString(StandardCharsets.UTF_8)
    };
  }

  private static String[] malformedFile(SplittableRandom r, String vc, long dayStart, int i) {
    String[] kinds = {
      "",
      "{\"CallId\": \"truncated",
      "[{\"CallId\": \"in-an-array\"}]",
      "{\"TransactionId\": \"no-call-id\", \"StartTimeEpochSeconds\": " + dayStart + "}",
      "{\"CallId\": \"bad-start\", \"StartTimeEpochSeconds\": \"yesterday\"}",
      "not json at all",
    };
    String name =
        OBJECT_TIME.format(Instant.ofEpochSecond(dayStart + r.nextInt(86400))) + "_" + uuid(r);
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(dayStart, 86400));
    return new String[] {RawLayout.dayPrefix(vc, date) + name, kinds[i % kinds.length]};
  }
}
