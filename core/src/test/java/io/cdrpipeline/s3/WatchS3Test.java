package io.cdrpipeline.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.generate.CdrGenerator;
import io.cdrpipeline.model.RawLayout;
import io.cdrpipeline.store.ObjectInfo;
import io.cdrpipeline.testing.S3Pipeline;
import io.cdrpipeline.testing.S3Server;
import io.cdrpipeline.watch.WatchBatch;
import io.cdrpipeline.watch.WatchJob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch on S3 (an in-process S3 server), reading the CDR bucket and the additional one. */
class WatchS3Test {
  static final LocalDate TODAY = LocalDate.of(2026, 12, 7);
  static S3Server server;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    server = new S3Server();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void newObjectsOfBothBucketsAreAppendedOnceAndAnIdlePollGetsNoObject() throws Exception {
    try (S3Pipeline p = new S3Pipeline(tmp, server, true, "watch")) {
      WatchJob job =
          new WatchJob(
              p.catalog,
              p.sources(),
              p.table(),
              "256MB",
              p.config.stateDir().resolve("tmp"),
              4,
              Clock.fixed(TODAY.atTime(9, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC),
              null,
              null);
      new CdrGenerator(p.cdr).generate(TODAY, 40, 2, 1, 0, null);
      List<ObjectInfo> originals = p.cdr.listAll(RawLayout.ROOT);
      for (ObjectInfo o : originals.subList(0, 10)) { // copies of 10 calls in the old bucket
        p.additional.put(o.key(), p.cdr.read(o.key()));
      }
      new CdrGenerator(p.additional).generate(TODAY, 5, 1, 2, 0, null); // 5 only there
      WatchBatch b = job.poll().orElseThrow();
      assertThat(b.objects()).isEqualTo(55);
      assertThat(b.rows()).as("a call in both buckets is one row").isEqualTo(45);
      assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(45);

      new CdrGenerator(p.cdr).generate(TODAY, 15, 1, 3, 0, null);
      assertThat(job.poll().orElseThrow().rows()).isEqualTo(15);
      int gets = server.reads.get();
      WatchBatch idle = job.poll().orElseThrow();
      assertThat(idle.committed()).isFalse();
      assertThat(idle.listed()).isEqualTo(70);
      assertThat(server.reads.get()).as("an idle poll gets no object").isEqualTo(gets);
      assertThat(p.count("SELECT count(*) FROM processed_cdrs")).isEqualTo(60);
    }
  }
}
