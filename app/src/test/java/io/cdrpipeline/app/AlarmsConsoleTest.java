package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdrpipeline.alarm.AlarmStore;
import io.cdrpipeline.alarm.Alarms;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * An alarm that fired on the deployment's data, through {@code /api/alarms} and on the console's
 * Alarms page in headless Chromium: its evidence shown as text (a destination country that holds
 * HTML among it), acknowledged from the page, and its rows opened in SQL.
 */
class AlarmsConsoleTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target/screenshots");
  static final LocalDate DAY = LocalDate.of(2026, 11, 1);
  static final String HOSTILE = "<img id=\"xss\" src=x onerror=\"document.title='owned'\">";

  @TempDir static Path dir;
  static ConsoleFixture f;
  static String firingId;

  @BeforeAll
  static void start() throws Exception {
    // one call to a premium-rate prefix whose destination country is HTML
    Path call =
        dir.resolve(
            "data/cdr-bucket/Amazon-Chime-Voice-Connector-CDRs/json/premium0connector0000001/2026/11/01/02.10.00.000_premium-call");
    Files.createDirectories(call.getParent());
    long start = DAY.atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond() + 2 * 3600;
    Files.writeString(
        call,
        new com.fasterxml.jackson.databind.ObjectMapper()
            .createObjectNode()
            .put("CallId", "premium-call")
            .put("VoiceConnectorId", "premium0connector0000001")
            .put("Status", "Completed")
            .put("Direction", "Outbound")
            .put("BillableDurationSeconds", 600)
            .put("SourcePhoneNumber", "+12065550100")
            .put("DestinationPhoneNumber", "+8825550100")
            .put("DestinationCountry", HOSTILE)
            .put("StartTimeEpochSeconds", start)
            .put("EndTimeEpochSeconds", start + 600)
            .toString());
    f =
        new ConsoleFixture(
            dir,
            "alarms:\n  - name: premium-numbers\n    rule: irsf\n    highRiskPrefixes: ['+882']\n",
            "127.0.0.1");
    List<Alarms.Outcome> out = f.ctx.alarms().evaluate(List.of(DAY));
    assertThat(out)
        .singleElement()
        .satisfies(o -> assertThat(o.change()).isEqualTo(AlarmStore.Change.FIRED));
    firingId = out.get(0).firing().orElseThrow().id();
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void theApiListsShowsAndAcknowledges() throws Exception {
    JsonNode all = ConsoleFixture.json(f.get("/api/alarms"));
    JsonNode a = all.path("alarms").get(0);
    assertThat(a.path("id").asText()).isEqualTo(firingId);
    assertThat(a.path("name").asText()).isEqualTo("premium-numbers");
    assertThat(a.path("rule").asText()).isEqualTo("irsf");
    assertThat(a.path("state").asText()).isEqualTo("FIRING");
    assertThat(a.path("window").path("from").asText()).isEqualTo("2026-11-01T00:00:00Z");
    assertThat(a.path("window").path("to").asText()).isEqualTo("2026-11-02T00:00:00Z");
    assertThat(a.path("connectors").get(0).asText()).isEqualTo("premium0connector0000001");
    assertThat(a.path("evidence").path("query").asText()).contains("processed_cdrs");
    JsonNode cols = a.path("evidence").path("columns");
    int country = -1;
    for (int i = 0; i < cols.size(); i++) {
      if (cols.get(i).asText().equals("country")) {
        country = i;
      }
    }
    assertThat(a.path("evidence").path("rows").get(0).get(country).asText()).isEqualTo(HOSTILE);
    assertThat(ConsoleFixture.json(f.get("/api/alarms?state=RESOLVED")).path("alarms")).isEmpty();
    assertThat(ConsoleFixture.json(f.get("/api/alarms?state=FIRING")).path("alarms")).hasSize(1);
    assertThat(f.get("/api/alarms?state=LOUD").statusCode()).isEqualTo(400);
    assertThat(f.get("/api/alarms/a-nothere").statusCode()).isEqualTo(404);
    assertThat(ConsoleFixture.json(f.get("/api/alarms/" + firingId)).path("name").asText())
        .isEqualTo("premium-numbers");
    // a page of another site cannot acknowledge (the page's test may have acknowledged it already)
    var before = f.ctx.alarms().store().get(firingId).orElseThrow().acknowledgedAt();
    assertThat(
            f.post("/api/alarms/" + firingId + "/ack", "{}", "Origin", "https://evil.example")
                .statusCode())
        .isEqualTo(403);
    assertThat(f.ctx.alarms().store().get(firingId).orElseThrow().acknowledgedAt())
        .isEqualTo(before);
    assertThat(f.post("/api/alarms/a-nothere/ack", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void theAlarmsPageShowsEvidenceAsTextAcknowledgesAndOpensTheRowsInSql() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(present, "chromium and chromium-driver are not installed");
    }
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1366,768",
        "--user-data-dir=" + profile);
    WebDriver browser =
        new ChromeDriver(
            new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build(),
            options);
    try {
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(120));
      browser.get(f.base + "/alarms.html");
      WebElement card =
          wait.until(ExpectedConditions.presenceOfElementLocated(By.id("alarm-" + firingId)));
      assertThat(card.getAttribute("data-state")).isEqualTo("FIRING");
      assertThat(card.getText()).contains("premium-numbers", "irsf", "high-risk prefix", HOSTILE);
      assertThat(browser.findElements(By.id("xss"))).isEmpty();
      assertThat(browser.getTitle()).isEqualTo("CDR Pipeline: Alarms");
      assertThat(browser.findElement(By.cssSelector("header a.current")).getText())
          .isEqualTo("Alarms");
      Files.createDirectories(SHOTS);
      shot(browser, "alarms");

      card.findElement(By.cssSelector("button.ack")).click();
      wait.until(
          ExpectedConditions.presenceOfElementLocated(
              By.cssSelector("#alarm-" + firingId + " .ack-done")));
      assertThat(f.ctx.alarms().store().get(firingId).orElseThrow().acknowledged()).isTrue();

      WebElement link = browser.findElement(By.cssSelector("#alarm-" + firingId + " a.sql-link"));
      String query = f.ctx.alarms().store().get(firingId).orElseThrow().evidence().query();
      String href = link.getAttribute("href");
      assertThat(
              URLDecoder.decode(href.substring(href.indexOf("sql=") + 4), StandardCharsets.UTF_8))
          .isEqualTo(query);
      link.click();
      wait.until(ExpectedConditions.urlContains("/sql.html"));
      WebElement sql = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sql")));
      assertThat(sql.getAttribute("value")).isEqualTo(query);
      browser.findElement(By.id("run")).click();
      WebElement results =
          wait.until(ExpectedConditions.presenceOfElementLocated(By.id("results")));
      assertThat(results.getText()).contains("premium0connector0000001", HOSTILE);
      assertThat(browser.findElements(By.id("xss"))).isEmpty();
      shot(browser, "alarms-sql");
    } finally {
      browser.quit();
    }
  }

  static void shot(WebDriver browser, String name) throws Exception {
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
