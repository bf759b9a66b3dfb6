package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless Chromium through Selenium), against a
 * deployment built by the CLI. Each page's screenshot is saved under target/screenshots/.
 */
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target/screenshots");

  @TempDir static Path dir;
  static ConsoleFixture f;
  static WebDriver browser;
  static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(
          present, "chromium and chromium-driver are not installed (./test-all.sh installs them)");
    }
    assertThat(present).as("chromium and chromium-driver (Debian packages) are installed").isTrue();
    f = new ConsoleFixture(dir, "", "127.0.0.1");
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    // this machine's closed network: nothing of Chromium's own may try to reach out
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
        "--window-size=1400,1100",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(120));
    Files.createDirectories(SHOTS);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (f != null) {
      f.close();
    }
  }

  static void open(String path) {
    browser.get(f.base + path);
  }

  static void screenshot(String name) throws Exception {
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  /** Fetches a URL from the page, as the browser does, and returns its text. */
  static String fetch(String url) {
    return (String)
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch(arguments[0]).then(r => r.text().then(t => done(r.status + '\\n' + t))).catch(e => done('error ' + e));",
                url);
  }

  @Test
  void aDailyExecutionStartedFromTheConsoleReachesSucceeded() throws Exception {
    open("/executions.html");
    WebElement workflow = wait.until(ExpectedConditions.elementToBeClickable(By.id("workflow")));
    new Select(workflow).selectByValue("daily");
    js("arguments[0].value = '2026-10-30'", browser.findElement(By.id("date")));
    browser.findElement(By.id("start")).click();
    wait.until(ExpectedConditions.urlContains("/execution.html?id=daily-"));
    wait.until(ExpectedConditions.textToBe(By.cssSelector("#status span"), "SUCCEEDED"));
    List<WebElement> steps = browser.findElements(By.cssSelector("#steps tbody tr"));
    assertThat(steps)
        .extracting(WebElement::getText)
        .allSatisfy(t -> assertThat(t).contains("SUCCEEDED"))
        .anySatisfy(t -> assertThat(t).startsWith("etl"));
    assertThat(browser.findElement(By.id("input")).getText()).contains("\"Date\": \"2026-10-30\"");
    assertThat(browser.findElement(By.id("output")).getText()).contains("rowsWritten");
    screenshot("execution");
    open("/executions.html");
    new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("filter-status"))))
        .selectByValue("SUCCEEDED");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("executions"), "daily"));
    screenshot("executions");
  }

  @Test
  void theSeedsQueryShowsItsRows() throws Exception {
    open("/sql.html");
    WebElement sql = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sql")));
    // the page leads with the corrected query: the calls per npanxx, counted from the raw files
    assertThat(sql.getAttribute("value"))
        .contains("COUNT(*) AS CallCount")
        .doesNotContain("COUNT(CallCount)");
    Map<String, Integer> calls = new HashMap<>();
    for (ConsoleFixture.Kept k : f.keptRecords()) {
      String n =
          io.cdrpipeline.testing.RawFiles.npanxx(
              k.record().path("DestinationPhoneNumber").asText(null));
      if (n != null) {
        calls.merge(n, 1, Integer::sum);
      }
    }
    browser.findElement(By.id("run")).click();
    WebElement results =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("results")));
    Map<String, Integer> shownCalls = new HashMap<>();
    for (WebElement r : results.findElements(By.cssSelector("tbody tr"))) {
      List<WebElement> td = r.findElements(By.tagName("td"));
      shownCalls.put(td.get(0).getText(), Integer.parseInt(td.get(2).getText().replace(",", "")));
    }
    assertThat(shownCalls).isEqualTo(calls);
    screenshot("sql");

    // the original's query, verbatim, behind its own button: its defect shows, every count is 1
    WebElement original = browser.findElement(By.id("original"));
    assertThat(original.getText()).isEqualTo("The original's query, verbatim, with its defect");
    original.click();
    assertThat(sql.getAttribute("value"))
        .contains("COUNT(CallCount)")
        .contains("cdrs.processed_cdrs");
    browser.findElement(By.id("run")).click();
    wait.until(ExpectedConditions.stalenessOf(results));
    results = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("results")));
    Set<String> npanxx = new HashSet<>(calls.keySet());
    npanxx.add(null); // the numbers outside North America
    List<WebElement> rows = results.findElements(By.cssSelector("tbody tr"));
    assertThat(rows).hasSize(npanxx.size());
    Set<String> shown = new HashSet<>();
    for (WebElement r : rows) {
      String first = r.findElements(By.tagName("td")).get(0).getText();
      shown.add(first.equals("NULL") ? null : first);
      assertThat(r.findElements(By.tagName("td")).get(2).getText())
          .isEqualTo("1"); // the seed's count, verbatim
    }
    assertThat(shown).isEqualTo(npanxx);

    // a plan shows as the lines DuckDB drew, not squashed into a cell
    js(
        "arguments[0].value = arguments[1]",
        sql,
        "EXPLAIN ANALYZE SELECT hour, count(*) FROM processed_cdrs WHERE year = 2026 AND month = 10 GROUP BY hour");
    browser.findElement(By.id("run")).click();
    WebElement plan = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("plan")));
    assertThat(plan.getTagName()).isEqualTo("pre");
    assertThat(plan.getText().lines().toList())
        .hasSizeGreaterThan(10)
        .anySatisfy(l -> assertThat(l).contains("Total Files Read:"));
  }

  @Test
  void aReportLinkOfTheReportsPageGivesTheCsv() throws Exception {
    f.cli("start", "report", "--month", "2026-10");
    open("/reports.html");
    WebElement link =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("link-2026-10-npanxx.csv")));
    screenshot("reports");
    String answer = fetch(link.getAttribute("href"));
    assertThat(answer)
        .isEqualTo(
            "200\n" + Files.readString(dir.resolve("data/reports/reports/2026-10/npanxx.csv")));
    assertThat(answer).startsWith("200\nnpanxx,");
  }

  @Test
  void theDashboardDrawsItsChartsFromTheRightNumbers() throws Exception {
    // the figures, computed from the raw files
    Map<String, Map<String, Long>> callsByConnector = new TreeMap<>();
    Map<String, long[]> perDay = new TreeMap<>();
    long[] perHour = new long[24];
    for (ConsoleFixture.Kept k : f.keptRecords()) {
      String d = k.day().toString();
      callsByConnector.computeIfAbsent(k.connector(), x -> new HashMap<>()).merge(d, 1L, Long::sum);
      long[] t = perDay.computeIfAbsent(d, x -> new long[2]);
      t[0]++;
      if (k.record().path("Status").asText().equals("Failed")) {
        t[1]++;
      }
      perHour[
          Instant.ofEpochSecond(k.record().get("StartTimeEpochSeconds").asLong())
              .atZone(ZoneOffset.UTC)
              .getHour()]++;
    }
    open("/");
    wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-charts", "drawn"));
    screenshot("dashboard");
    List<String> labels = strings(js("return Chart.getChart('callsPerDay').data.labels"));
    assertThat(labels).containsExactly("2026-10-30", "2026-10-31", "2026-11-01");
    List<Map<String, Object>> sets = datasets("callsPerDay");
    assertThat(sets)
        .extracting(s -> s.get("label"))
        .containsExactlyElementsOf(callsByConnector.keySet());
    for (Map<String, Object> s : sets) {
      Map<String, Long> expected = callsByConnector.get((String) s.get("label"));
      assertThat(longs(s.get("data")))
          .as((String) s.get("label"))
          .containsExactlyElementsOf(
              labels.stream().map(d -> expected.getOrDefault(d, 0L)).toList());
    }
    List<Long> hours = longs(datasets("callsPerHour").get(0).get("data"));
    assertThat(hours).containsExactlyElementsOf(Arrays.stream(perHour).boxed().toList());
    List<Object> rates = (List<Object>) datasets("failureRate").get(0).get("data");
    for (int i = 0; i < labels.size(); i++) {
      long[] t = perDay.get(labels.get(i));
      assertThat(((Number) rates.get(i)).doubleValue())
          .as(labels.get(i))
          .isCloseTo(100.0 * t[1] / t[0], org.assertj.core.data.Offset.offset(0.01));
    }
    // October against November: the month of the newest day and the one before
    List<Map<String, Object>> months = datasets("months");
    assertThat(months).extracting(s -> s.get("label")).containsExactly("2026-10", "2026-11");
    long october =
        perDay.entrySet().stream()
            .filter(e -> e.getKey().startsWith("2026-10"))
            .mapToLong(e -> e.getValue()[0])
            .sum();
    assertThat(longs(months.get(0).get("data")).get(0)).isEqualTo(october);
    assertThat(longs(months.get(1).get("data")).get(0)).isEqualTo(perDay.get("2026-11-01")[0]);
    assertThat(browser.findElement(By.id("last")).getText())
        .contains("daily")
        .contains("full")
        .contains("report");
  }

  @Test
  void searchFindsAKnownCall() throws Exception {
    ConsoleFixture.Kept known = f.keptRecords().get(7);
    String number = known.record().get("DestinationPhoneNumber").asText();
    open("/search.html");
    WebElement field = wait.until(ExpectedConditions.elementToBeClickable(By.id("number")));
    field.sendKeys(number);
    browser.findElement(By.id("connector")).sendKeys(known.connector());
    js(
        "arguments[0].value = arguments[1]; arguments[2].value = arguments[1]",
        browser.findElement(By.id("from")),
        known.day().toString(),
        browser.findElement(By.id("to")));
    browser.findElement(By.id("search")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("results"), known.record().get("CallId").asText()));
    screenshot("search");
    String csv = fetch(browser.findElement(By.id("export")).getAttribute("href"));
    assertThat(csv).startsWith("200\nstart_time,").contains(known.record().get("CallId").asText());
  }

  @Test
  void theCatalogShowsColumnsPartitionsAndQuarantinedFilesWithReasons() throws Exception {
    open("/catalog.html");
    WebElement columns =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("columns-processed_cdrs")));
    assertThat(columns.getText())
        .contains("billabledurationminutes DOUBLE")
        .contains("npanxx VARCHAR");
    WebElement quarantined = browser.findElement(By.id("quarantined"));
    io.cdrpipeline.catalog.QuarantinedFile q = f.ctx.catalog().quarantine(Optional.empty()).get(0);
    assertThat(quarantined.getText()).contains(q.sourceKey()).contains(q.reason());
    assertThat(
            browser
                .findElement(By.id("partitions-amazon_chime_voice_connector_cdrs"))
                .findElements(By.cssSelector("tbody tr")))
        .hasSize(6);
    screenshot("catalog");
  }

  @Test
  void aPageOfAnotherSiteCannotStartAnExecutionThroughTheBrowser() throws Exception {
    // another origin on this machine: a page of a second HTTP server (localhost, another port)
    com.sun.net.httpserver.HttpServer other =
        com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext(
        "/",
        exchange -> {
          byte[] page =
              "<!doctype html><title>another site</title><p>hello".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, page.length);
          exchange.getResponseBody().write(page);
          exchange.close();
        });
    other.start();
    try {
      int before = f.ctx.executions().list(Optional.empty(), Optional.empty(), 1000).size();
      browser.get("http://localhost:" + other.getAddress().getPort() + "/");
      // what such a page can send without asking first: no-cors, text/plain, with the user's
      // cookies
      String sent =
          (String)
              ((JavascriptExecutor) browser)
                  .executeAsyncScript(
                      "const done = arguments[arguments.length - 1];"
                          + "fetch(arguments[0] + '/api/executions', {method: 'POST', mode: 'no-cors', credentials: 'include',"
                          + " headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({workflow: 'report', input: {Month: '2026-10'}})})"
                          + ".then(r => done('sent ' + r.type)).catch(e => done('error ' + e));",
                      f.base);
      assertThat(sent)
          .isEqualTo("sent opaque"); // it left the browser: the server refuses it, not the browser
      assertThat(f.ctx.executions().list(Optional.empty(), Optional.empty(), 1000)).hasSize(before);
    } finally {
      other.stop(0);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> datasets(String chart) {
    return (List<Map<String, Object>>)
        js(
            "return Chart.getChart(arguments[0]).data.datasets.map(d => ({label: d.label, data: d.data}))",
            chart);
  }

  @SuppressWarnings("unchecked")
  static List<String> strings(Object o) {
    return (List<String>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Long> longs(Object o) {
    return ((List<Object>) o).stream().map(x -> ((Number) x).longValue()).toList();
  }
}
