package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdrpipeline.testing.S3Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI with every bucket on an S3-compatible server, configured as a user would. */
class S3CliTest {
  static S3Server server;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = new S3Server();
    for (String b : new String[] {"cli-cdrs", "cli-processed", "cli-reports"}) {
      server.createBucket(b);
    }
    // the AWS default credential chain reads these
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    server.close();
  }

  CliRun cdr(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = "cdr.yaml";
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRun.in(dir, new HashMap<>(), all);
  }

  @Test
  void generateCrawlEtlQueryAndReportWithEveryBucketOnS3() throws Exception {
    Files.writeString(
        dir.resolve("cdr.yaml"),
        "cdrBucket: s3://cli-cdrs\nprocessedBucket: s3://cli-processed/lake\n"
            + "reportsBucket: s3://cli-reports\ns3: {endpoint: \""
            + server.endpoint()
            + "\", region: us-east-1, maxConcurrency: 8}\n");
    assertThat(cdr("generate", "--date", "2026-10-07", "--calls", "60", "--malformed", "2").code())
        .isZero();
    CliRun crawl = cdr("crawl", "raw");
    assertThat(crawl.code()).as(crawl.err()).isZero();
    assertThat(crawl.out()).contains("s3://cli-cdrs");
    CliRun etl = cdr("etl", "--date", "2026-10-07");
    assertThat(etl.code()).as(etl.err()).isZero();
    assertThat(etl.out())
        .contains("60 rows written")
        .contains("2 rejected")
        .contains("s3://cli-processed/lake/processed_cdrs/");
    assertThat(
            cdr(
                    "query",
                    "--format",
                    "csv",
                    "SELECT count(*) AS n FROM cdrs.processed_cdrs WHERE year = 2026 AND month = 10")
                .out())
        .isEqualTo("n\n60\n");
    CliRun raw = cdr("query", "SELECT count(*) FROM amazon_chime_voice_connector_cdrs");
    assertThat(raw.code()).isEqualTo(1);
    assertThat(raw.err()).contains("only available for a CDR bucket in a local folder");
    CliRun report = cdr("start", "report", "--month", "2026-10");
    assertThat(report.code()).as(report.err() + report.out()).isZero();
    String link =
        report
            .out()
            .lines()
            .filter(l -> l.startsWith("download link: "))
            .findFirst()
            .orElseThrow()
            .substring("download link: ".length());
    assertThat(link)
        .startsWith(server.endpoint() + "/cli-reports/reports/2026-10/npanxx.csv?")
        .contains("X-Amz-Signature=");
    HttpResponse<String> csv =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.body()).startsWith("npanxx,TotalDuration,CallCount\n");

    Files.writeString(
        dir.resolve("cdr.yaml"),
        "cdrBucket: s3://no-such-bucket\n" + "s3: {endpoint: \"" + server.endpoint() + "\"}\n");
    CliRun missing = cdr("etl", "--date", "2026-10-07");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("s3://no-such-bucket").contains("bucket does not exist");
  }
}
