package io.cdrpipeline.app.lifecycle;

import io.cdrpipeline.app.context.AppContext;
import io.cdrpipeline.store.Nesting;
import io.cdrpipeline.store.S3Settings;
import io.cdrpipeline.store.StoreLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The questions of {@code cdr configure} about places: the CDR buckets (a number of the account's
 * list or a location, checked to be readable and to hold CDRs) and where the product writes (never
 * inside a CDR bucket).
 */
final class BucketQuestions {
  private final AppContext ctx;
  private final ConfigQuestions questions;
  private final Path base;
  private final S3Settings s3;
  private final boolean noCheck;
  private List<BucketProbe.Listed> listed;

  BucketQuestions(
      AppContext ctx, ConfigQuestions questions, Path base, S3Settings s3, boolean noCheck) {
    this.ctx = ctx;
    this.questions = questions;
    this.base = base;
    this.s3 = s3;
    this.noCheck = noCheck;
  }

  StoreLocation location(String value) {
    return StoreLocation.parse(value, base);
  }

  /**
   * A location as written to the file: the old file's own value as it was (relative to the file),
   * anything typed made absolute (relative to where the command runs), S3 as s3://.
   */
  String written(String answer) {
    if (answer.equals(questions.text("cdrBucket", null))
        || answer.equals(questions.text("additionalCdrBucket", null))
        || answer.equals(questions.text("processedBucket", null))
        || answer.equals(questions.text("reportsBucket", null))
        || answer.equals(questions.text("stateDir", null))) {
      return answer;
    }
    return StoreLocation.parse(answer, ctx.workingDir()).display();
  }

  String defaultCdrBucket() {
    String d = questions.text("cdrBucket", null);
    if (d != null) {
      return d;
    }
    return accountBuckets().stream()
        .filter(l -> l.holdsCdrs().orElse(false))
        .map(BucketProbe.Listed::location)
        .findFirst()
        .orElse(base.resolve("data/cdr-bucket").toString());
  }

  List<BucketProbe.Listed> accountBuckets() {
    if (listed == null) {
      listed = BucketProbe.accountBuckets(s3);
    }
    return listed;
  }

  void offerBuckets() {
    List<BucketProbe.Listed> l = accountBuckets();
    if (l.isEmpty()) {
      return;
    }
    questions.say(
        "   The buckets of this AWS account (those holding CDRs first); answer a number or a location:");
    for (int i = 0; i < l.size(); i++) {
      BucketProbe.Listed b = l.get(i);
      questions.say(
          String.format(
              "   %2d) %s%s",
              i + 1,
              b.location(),
              b.holdsCdrs().map(h -> h ? "  (holds CDRs)" : "").orElse("  (not looked at)")));
    }
  }

  /** A CDR bucket answer: a number of the list or a location, checked unless --no-check. */
  String cdrLocation(String answer, String what, StoreLocation other) {
    String a = answer.strip();
    if (a.isEmpty()) {
      throw new IllegalArgumentException("the " + what + " is needed");
    }
    if (a.matches("\\d{1,4}") && listed != null && !listed.isEmpty()) {
      int n = Integer.parseInt(a);
      if (n < 1 || n > listed.size()) {
        throw new IllegalArgumentException(
            n + " is not a number of the list (1-" + listed.size() + ")");
      }
      a = listed.get(n - 1).location();
    }
    String value = written(a);
    StoreLocation loc = location(value);
    if (other != null && Nesting.overlap(loc, other)) {
      throw new IllegalArgumentException(
          loc.display()
              + " is, or overlaps, the CDR bucket "
              + other.display()
              + ": the additional bucket must be another one");
    }
    if (!noCheck) {
      BucketProbe.Contents c = BucketProbe.contents(loc, s3);
      if (c.voiceConnectors() == 0) {
        questions.warn(c.describe());
      } else {
        questions.say("   ok: " + c.describe());
      }
    }
    return value;
  }

  /**
   * A place the product writes into: never at or inside a CDR bucket (destroy could not clean it).
   */
  String productLocation(String answer, String what, List<StoreLocation> cdrs, boolean folderOnly) {
    if (answer.isBlank()) {
      throw new IllegalArgumentException("the " + what + " is needed");
    }
    String value = written(answer.strip());
    StoreLocation loc = location(value);
    if (folderOnly && !(loc instanceof StoreLocation.Local)) {
      throw new IllegalArgumentException(
          "the " + what + " must be a folder on this machine, not " + loc.display());
    }
    for (StoreLocation c : cdrs) {
      if (Nesting.inside(loc, c)) {
        throw new IllegalArgumentException(
            loc.display()
                + " is inside "
                + c.display()
                + ": cdr never writes into a CDR bucket; choose a place outside it");
      }
    }
    if (loc instanceof StoreLocation.Local l
        && Files.exists(l.root())
        && !Files.isDirectory(l.root())) {
      throw new IllegalArgumentException(l.root() + " is a file, not a folder");
    }
    return value;
  }
}
