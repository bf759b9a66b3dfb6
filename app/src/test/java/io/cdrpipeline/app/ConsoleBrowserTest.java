package io.cdrpipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
 * deployment built by the CLI, in a 1366x768 window that no page may make scroll sideways. Each
 * page's screenshot is saved under target/screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target/screenshots");

  /** A caller's name that a page writing values as HTML would turn into elements and run. */
  static final String HTML_NAME =
      "<img src=x onerror=\"document.body.setAttribute('data-injected','1')\"><b>Mallory</b>";

  /** One more call, a copy of a generated one, whose caller's name is {@link #HTML_NAME}. */
  static void addHtmlCallerName(Path cdrRoot) throws Exception {
    Path file;
    try (java.util.stream.Stream<Path> files = Files.walk(cdrRoot)) {
      file = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
    }
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            ConsoleFixture.JSON.readTree(Files.readString(file));
    r.put("SourcePhoneNumberName", HTML_NAME);
    r.put("CallId", "html-caller-name-call");
    r.put("TransactionId", "html-caller-name-transaction");
    Files.writeString(
        file.resolveSibling("12.00.00.000_html-caller-name-transaction"),
        ConsoleFixture.JSON.writeValueAsString(r));
  }

  @TempDir static Path dir;
  static ConsoleFixture f;
  static WebDriver browser;
  static WebDriverWait wait;
  static Path downloads;

  @BeforeAll
  static void start() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(
          present, "chromium and chromium-driver are not installed (./test-all.sh installs them)");
    }
    assertThat(present).as("chromium and chromium-driver (Debian packages) are installed").isTrue();
    f =
        new ConsoleFixture(
            dir,
            "",
            "127.0.0.1",
            new io.cdrpipeline.app.web.FailedLogins(
                1_000_000,
                io.cdrpipeline.app.web.FailedLogins.WINDOW,
                com.github.benmanes.caffeine.cache.Ticker.systemTicker()),
            ConsoleBrowserTest::addHtmlCallerName);
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
        "--window-size=1366,768",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    // where the browser saves what a page downloads, without asking
    downloads = Files.createDirectories(dir.resolve("downloads"));
    options.setExperimentalOption(
        "prefs",
        Map.of(
            "download.default_directory",
            downloads.toString(),
            "download.prompt_for_download",
            false));
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

  /** Saves the page's screenshot, after checking that the page does not scroll sideways. */
  static void screenshot(String name) throws Exception {
    noSidewaysScrolling(name);
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** Wide content scrolls inside its own box, never the page. */
  static void noSidewaysScrolling(String page) {
    long scroll = ((Number) js("return document.scrollingElement.scrollWidth")).longValue();
    long inner = ((Number) js("return window.innerWidth")).longValue();
    assertThat(inner).as("the window's width").isEqualTo(1366);
    assertThat(scroll)
        .as(page + ": the page's width against the window's")
        .isLessThanOrEqualTo(inner);
  }

  /** Sets a field as a user does, and tells the page it changed. */
  static void set(String id, String value) {
    js(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
            + " e.dispatchEvent(new Event('change'));",
        id,
        value);
  }

  /** Waits until the dashboard shows the figures of the request {@code query}. */
  static void awaitDashboard(String query) {
    wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-range", query));
  }

  static double kpi(String name) {
    String t = browser.findElement(By.id("kpi-" + name)).getText().replace(",", "");
    return Double.parseDouble(t);
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
    assertThat(browser.findElement(By.id("input")).getText()).contains("Date: \"2026-10-30\"");
    // the steps as a flow and a timeline: one state and one bar per step, in the state's colour
    List<String> names =
        steps.stream().map(r -> r.findElements(By.tagName("td")).get(0).getText()).toList();
    assertThat(browser.findElements(By.cssSelector("#flow .state")))
        .extracting(e -> e.getAttribute("data-step"))
        .containsExactlyElementsOf(names);
    assertThat(browser.findElements(By.cssSelector("#flow .state")))
        .allSatisfy(e -> assertThat(e.getAttribute("class")).contains("state-SUCCEEDED"));
    List<WebElement> bars = browser.findElements(By.cssSelector("#timeline .span"));
    assertThat(bars).extracting(e -> e.getAttribute("data-step")).containsExactlyElementsOf(names);
    double end = 0;
    for (WebElement bar : bars) {
      assertThat(bar.getAttribute("class")).contains("span-SUCCEEDED");
      assertThat(bar.getCssValue("background-color")).isEqualTo("rgba(10, 122, 47, 1)");
      double left =
          Double.parseDouble(bar.getAttribute("style").replaceAll(".*left: ([0-9.]+)%.*", "$1"));
      assertThat(left)
          .as("a step starts after the one before it ends")
          .isGreaterThanOrEqualTo(end - 0.01);
      end =
          left
              + Double.parseDouble(
                  bar.getAttribute("style").replaceAll(".*width: ([0-9.]+)%.*", "$1"));
    }
    assertThat(end).isLessThanOrEqualTo(100.01);
    // days as YYYY-MM-DD, times on one line
    WebElement started =
        browser.findElement(By.cssSelector("#facts tbody tr:nth-child(4) td:nth-child(2)"));
    assertThat(started.getText()).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z");
    assertThat(started.getCssValue("white-space")).isEqualTo("nowrap");
    // the output as JSON that folds
    WebElement output = browser.findElement(By.id("output"));
    assertThat(output.getText()).contains("rowsWritten");
    output.findElement(By.tagName("summary")).click();
    wait.until(d -> !output.getText().contains("rowsWritten"));
    output.findElement(By.tagName("summary")).click();
    wait.until(d -> output.getText().contains("rowsWritten"));
    screenshot("execution");
    open("/executions.html");
    new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("filter-status"))))
        .selectByValue("SUCCEEDED");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("executions"), "daily"));
    assertThat(
            browser
                .findElement(By.cssSelector("#executions tbody td.time"))
                .getCssValue("white-space"))
        .isEqualTo("nowrap");
    assertThat(
            js(
                "return getComputedStyle(document.getElementById('executions').parentElement).overflowX"))
        .isEqualTo("auto"); // a wide table scrolls inside its box
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
    assertThat(browser.findElements(By.cssSelector("#result table"))).isEmpty();
  }

  @Test
  void theSqlPageListsTablesKeepsHistoryChartsAndDownloads() throws Exception {
    // a statement given in the address, as other pages link to it
    String byHour =
        "SELECT hour, count(*) AS calls FROM processed_cdrs GROUP BY hour ORDER BY hour";
    open("/sql.html?sql=" + java.net.URLEncoder.encode(byHour, StandardCharsets.UTF_8));
    WebElement sql = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sql")));
    assertThat(sql.getAttribute("value")).isEqualTo(byHour);
    // the tables and their columns, from the catalog
    WebElement columns =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(By.id("columns-of-processed_cdrs")));
    List<String> catalogColumns =
        f.ctx.catalog().columns("processed_cdrs").stream()
            .map(io.cdrpipeline.catalog.CatalogColumn::name)
            .toList();
    assertThat(columns.findElements(By.cssSelector("button[data-column]")))
        .extracting(e -> e.getAttribute("data-column"))
        .containsExactlyElementsOf(catalogColumns);
    js("arguments[0].setSelectionRange(0, 0)", sql);
    columns.findElement(By.cssSelector("button[data-column='npanxx']")).click();
    assertThat(sql.getAttribute("value")).isEqualTo("npanxx" + byHour);
    js("arguments[0].value = arguments[1]", sql, byHour);
    browser.findElement(By.id("run")).click();
    WebElement results =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("results")));
    List<String> hours = new java.util.ArrayList<>();
    List<Long> counts = new java.util.ArrayList<>();
    for (WebElement r : results.findElements(By.cssSelector("tbody tr"))) {
      List<WebElement> td = r.findElements(By.tagName("td"));
      hours.add(td.get(0).getText());
      counts.add(Long.parseLong(td.get(1).getText().replace(",", "")));
    }
    assertThat(counts.stream().mapToLong(Long::longValue).sum()).isEqualTo(f.keptRecords().size());
    // a chart of the result: calls by hour, as bars, then as a line
    new Select(browser.findElement(By.id("chart-x"))).selectByVisibleText("hour");
    new Select(browser.findElement(By.id("chart-y"))).selectByVisibleText("calls");
    browser.findElement(By.id("draw")).click();
    wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-chart", "drawn"));
    assertThat(strings(js("return Chart.getChart('result-chart').data.labels")))
        .containsExactlyElementsOf(hours);
    assertThat(longs(datasets("result-chart").get(0).get("data")))
        .containsExactlyElementsOf(counts);
    assertThat(js("return Chart.getChart('result-chart').config.type")).isEqualTo("bar");
    new Select(browser.findElement(By.id("chart-type"))).selectByValue("line");
    browser.findElement(By.id("draw")).click();
    wait.until(d -> "line".equals(js("return Chart.getChart('result-chart').config.type")));
    screenshot("sql-chart");
    // the CSV the page downloads is the API's CSV of the statement
    browser.findElement(By.id("csv")).click();
    Path downloaded = downloads.resolve("query.csv");
    wait.until(
        d -> Files.exists(downloaded) && !Files.exists(downloads.resolve("query.csv.crdownload")));
    String csv = "200\n" + Files.readString(downloaded);
    String api =
        f.post(
                "/api/query",
                ConsoleFixture.JSON.writeValueAsString(Map.of("sql", byHour, "format", "csv")))
            .body();
    assertThat(csv).isEqualTo("200\n" + api);
    assertThat(api).startsWith("hour,calls\n");
    // a result wider than the window scrolls inside its box, not the page
    js("arguments[0].value = arguments[1]", sql, "SELECT * FROM processed_cdrs LIMIT 3");
    browser.findElement(By.id("run")).click();
    wait.until(ExpectedConditions.stalenessOf(results));
    results = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("results")));
    assertThat(
            (Boolean)
                js(
                    "const box = arguments[0].parentElement;"
                        + " return box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX === 'auto'",
                    results))
        .isTrue();
    noSidewaysScrolling("sql, a wide result");
    // a caller's name holding HTML shows as its text, and runs nothing
    String names =
        "SELECT sourcephonenumbername, callid FROM processed_cdrs WHERE callid = 'html-caller-name-call'";
    js("arguments[0].value = arguments[1]", sql, names);
    browser.findElement(By.id("run")).click();
    wait.until(ExpectedConditions.stalenessOf(results));
    results = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("results")));
    assertThat(results.findElement(By.cssSelector("tbody td")).getText()).isEqualTo(HTML_NAME);
    assertThat(results.findElements(By.cssSelector("img, b"))).isEmpty();
    assertThat(browser.findElement(By.tagName("body")).getAttribute("data-injected")).isNull();
    // the history of this browser: newest first, kept across pages, one click back in the editor
    List<WebElement> history = browser.findElements(By.cssSelector("#history-list li code"));
    assertThat(history)
        .extracting(WebElement::getText)
        .startsWith(names, "SELECT * FROM processed_cdrs LIMIT 3", byHour);
    open("/sql.html");
    WebElement first =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#history-list li:first-child")));
    assertThat(first.findElement(By.tagName("code")).getText()).isEqualTo(names);
    assertThat(first.getText()).contains("1 row");
    first.findElement(By.cssSelector("button.use")).click();
    assertThat(browser.findElement(By.id("sql")).getAttribute("value")).isEqualTo(names);
    screenshot("sql-history");
    browser.findElement(By.id("clear-history")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("history-empty")));
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

  /** A kept call's start, connector (as its record says), status and billable seconds. */
  record Call(Instant start, String connector, boolean failed, long billable) {
    LocalDate day() {
      return LocalDate.ofInstant(start, ZoneOffset.UTC);
    }

    boolean answered() {
      return !failed && billable > 0;
    }
  }

  static List<Call> calls() throws Exception {
    return f.keptRecords().stream()
        .map(
            k ->
                new Call(
                    Instant.ofEpochSecond(k.record().get("StartTimeEpochSeconds").asLong()),
                    k.record().get("VoiceConnectorId").asText(),
                    k.record().path("Status").asText().equals("Failed"),
                    k.record().path("BillableDurationSeconds").asLong()))
        .toList();
  }

  /** The calls that started on the days from..to, of the connector if given. */
  static List<Call> startedOn(List<Call> all, String from, String to, String connector) {
    LocalDate a = LocalDate.parse(from);
    LocalDate b = LocalDate.parse(to);
    return all.stream()
        .filter(c -> !c.day().isBefore(a) && !c.day().isAfter(b))
        .filter(c -> connector == null || c.connector().equals(connector))
        .toList();
  }

  @Test
  void theDashboardDrawsItsChartsFromTheRightNumbers() throws Exception {
    List<Call> all = calls();
    open("/?range=custom&from=2026-10-30&to=2026-11-01");
    awaitDashboard("from=2026-10-30&to=2026-11-01");
    screenshot("dashboard");
    List<Call> shown = startedOn(all, "2026-10-30", "2026-11-01", null);
    List<String> labels = strings(js("return Chart.getChart('calls').data.labels"));
    assertThat(labels).containsExactly("2026-10-30", "2026-10-31", "2026-11-01");
    Map<String, Map<String, Long>> callsByConnector = new TreeMap<>();
    for (Call c : shown) {
      callsByConnector
          .computeIfAbsent(c.connector(), x -> new HashMap<>())
          .merge(c.day().toString(), 1L, Long::sum);
    }
    List<Map<String, Object>> sets = datasets("calls");
    assertThat(sets)
        .extracting(x -> x.get("label"))
        .containsExactlyElementsOf(callsByConnector.keySet());
    for (Map<String, Object> set : sets) {
      Map<String, Long> expected = callsByConnector.get((String) set.get("label"));
      assertThat(longs(set.get("data")))
          .as((String) set.get("label"))
          .containsExactlyElementsOf(
              labels.stream().map(d -> expected.getOrDefault(d, 0L)).toList());
    }
    long[] perHour = new long[24];
    shown.forEach(c -> perHour[c.start().atZone(ZoneOffset.UTC).getHour()]++);
    assertThat(longs(datasets("callsPerHour").get(0).get("data")))
        .containsExactlyElementsOf(Arrays.stream(perHour).boxed().toList());
    // failed calls on their own axis, beside the rate
    List<Map<String, Object>> failed = datasets("failed");
    assertThat(failed)
        .extracting(x -> x.get("label"))
        .containsExactly("failed calls", "failure rate, %");
    assertThat(js("return Chart.getChart('failed').data.datasets.map(d => d.yAxisID)"))
        .isEqualTo(List.of("y", "y1"));
    for (int i = 0; i < labels.size(); i++) {
      String d = labels.get(i);
      long n = shown.stream().filter(c -> c.day().toString().equals(d)).count();
      long nf = shown.stream().filter(c -> c.day().toString().equals(d) && c.failed()).count();
      assertThat(longs(failed.get(0).get("data")).get(i)).as(d).isEqualTo(nf);
      assertThat(((Number) ((List<?>) failed.get(1).get("data")).get(i)).doubleValue())
          .as(d)
          .isCloseTo(100.0 * nf / n, org.assertj.core.data.Offset.offset(0.01));
    }
    // the key figures, against the raw files and against a query of the table
    long answered = shown.stream().filter(Call::answered).count();
    assertThat(kpi("calls")).isEqualTo(shown.size());
    assertThat(kpi("minutes"))
        .isCloseTo(
            shown.stream().mapToLong(Call::billable).sum() / 60.0,
            org.assertj.core.data.Offset.offset(0.011));
    assertThat(kpi("asr"))
        .isCloseTo(100.0 * answered / shown.size(), org.assertj.core.data.Offset.offset(0.011));
    assertThat(kpi("failureRate"))
        .isCloseTo(
            100.0 * shown.stream().filter(Call::failed).count() / shown.size(),
            org.assertj.core.data.Offset.offset(0.011));
    com.fasterxml.jackson.databind.JsonNode q =
        ConsoleFixture.json(
            f.post(
                "/api/query",
                ConsoleFixture.JSON.writeValueAsString(
                    Map.of(
                        "sql",
                        "SELECT count(*), sum(billabledurationseconds) / 60.0, "
                            + "100.0 * count(*) FILTER (WHERE status = 'Completed' AND billabledurationseconds > 0) / count(*), "
                            + "sum(billabledurationseconds) FILTER (WHERE status = 'Completed' AND billabledurationseconds > 0) / 60.0"
                            + " / count(*) FILTER (WHERE status = 'Completed' AND billabledurationseconds > 0), "
                            + "100.0 * count(*) FILTER (WHERE status = 'Failed') / count(*) FROM processed_cdrs "
                            + "WHERE start_time >= TIMESTAMP '2026-10-30 00:00:00' AND start_time < TIMESTAMP '2026-11-02 00:00:00'"))));
    com.fasterxml.jackson.databind.JsonNode row = q.get("rows").get(0);
    String[] tiles = {"calls", "minutes", "asr", "acd", "failureRate"};
    for (int i = 0; i < tiles.length; i++) {
      assertThat(kpi(tiles[i]))
          .as(tiles[i])
          .isCloseTo(row.get(i).asDouble(), org.assertj.core.data.Offset.offset(0.011));
    }
    // alarms firing: the count of the alarms API, "—" where the service has none
    String alarms = fetch("/api/alarms?state=FIRING");
    String tile = browser.findElement(By.id("kpi-alarms")).getText();
    if (alarms.startsWith("404\n")) {
      assertThat(tile).isEqualTo("—");
    } else {
      assertThat(alarms).startsWith("200\n");
      assertThat(tile)
          .isEqualTo(
              Integer.toString(
                  ConsoleFixture.JSON.readTree(alarms.substring(4)).get("alarms").size()));
    }
    // days 1..N of the last day's month against the same days of the month before, not totals
    List<Map<String, Object>> months = datasets("months");
    assertThat(months).extracting(x -> x.get("label")).containsExactly("2026-10", "2026-11");
    assertThat(longs(months.get(0).get("data"))).containsExactly(0L); // October 1st: no calls
    assertThat(longs(months.get(1).get("data")))
        .containsExactly((long) startedOn(all, "2026-11-01", "2026-11-01", null).size());
    assertThat(browser.findElement(By.id("last")).getText())
        .contains("daily")
        .contains("full")
        .contains("report");
  }

  @Test
  void theRangeAndTheConnectorChangeEveryChart() throws Exception {
    List<Call> all = calls();
    open("/?range=custom&from=2026-10-30&to=2026-11-01");
    awaitDashboard("from=2026-10-30&to=2026-11-01");
    Object before = js("window.sameDocument = true; return Chart.getChart('calls').data.labels");
    assertThat(strings(before)).hasSize(3);
    // a month: its 31 days, and its days 1..31 against September's 30
    set("preset", "month");
    set("month", "2026-10");
    awaitDashboard("from=2026-10-01&to=2026-10-31");
    List<String> labels = strings(js("return Chart.getChart('calls').data.labels"));
    assertThat(labels).hasSize(31).startsWith("2026-10-01").endsWith("2026-10-31");
    List<Call> october = startedOn(all, "2026-10-01", "2026-10-31", null);
    assertThat(kpi("calls")).isEqualTo(october.size());
    List<Map<String, Object>> months = datasets("months");
    assertThat(months).extracting(x -> x.get("label")).containsExactly("2026-09", "2026-10");
    List<Object> september = (List<Object>) months.get(0).get("data");
    assertThat(september).hasSize(31);
    assertThat(september.get(30)).isNull(); // there is no September 31st
    List<Long> days = longs(months.get(1).get("data"));
    for (int d = 1; d <= 31; d++) {
      LocalDate day = LocalDate.of(2026, 10, d);
      assertThat(days.get(d - 1))
          .as(day.toString())
          .isEqualTo(october.stream().filter(c -> c.day().equals(day)).count());
    }
    // one voice connector: every chart and figure is of its calls only
    List<String> choices =
        strings(js("return [...document.getElementById('connector').options].map(o => o.value)"));
    // a connector with calls on October 31st, the day looked at by the hour below
    String connector =
        october.stream()
            .filter(c -> c.day().equals(LocalDate.of(2026, 10, 31)))
            .findFirst()
            .orElseThrow()
            .connector();
    assertThat(choices).contains("", connector);
    set("connector", connector);
    awaitDashboard("from=2026-10-01&to=2026-10-31&connector=" + connector);
    List<Call> mine = startedOn(all, "2026-10-01", "2026-10-31", connector);
    assertThat(mine.size()).isLessThan(october.size());
    assertThat(datasets("calls")).extracting(x -> x.get("label")).containsExactly(connector);
    assertThat(kpi("calls")).isEqualTo(mine.size());
    List<Long> failed = longs(datasets("failed").get(0).get("data"));
    List<Long> hours = longs(datasets("callsPerHour").get(0).get("data"));
    for (int i = 0; i < labels.size(); i++) {
      LocalDate day = LocalDate.parse(labels.get(i));
      assertThat(failed.get(i))
          .isEqualTo(mine.stream().filter(c -> c.day().equals(day) && c.failed()).count());
    }
    assertThat(hours.stream().mapToLong(Long::longValue).sum()).isEqualTo(mine.size());
    // a single day: one point per hour
    set("preset", "custom");
    set("from", "2026-10-31");
    set("to", "2026-10-31");
    awaitDashboard("from=2026-10-31&to=2026-10-31&connector=" + connector);
    labels = strings(js("return Chart.getChart('calls').data.labels"));
    assertThat(labels).hasSize(24).startsWith("2026-10-31 00:00").endsWith("2026-10-31 23:00");
    List<Long> perHour = longs(datasets("calls").get(0).get("data"));
    for (int h = 0; h < 24; h++) {
      int hour = h;
      assertThat(perHour.get(h))
          .as(labels.get(h))
          .isEqualTo(
              mine.stream()
                  .filter(
                      c ->
                          c.day().equals(LocalDate.of(2026, 10, 31))
                              && c.start().atZone(ZoneOffset.UTC).getHour() == hour)
                  .count());
    }
    assertThat(js("return window.sameDocument === true")).isEqualTo(true); // no reload
    assertThat(browser.getCurrentUrl()).contains("connector=" + connector).contains("range=custom");
    screenshot("dashboard-connector");
    // the last 24 hours: times to the minute, one point per hour
    set("preset", "24h");
    wait.until(
        d ->
            String.valueOf(browser.findElement(By.tagName("body")).getAttribute("data-range"))
                .matches(
                    "from=\\d{4}-\\d{2}-\\d{2}T\\d{2}%3A\\d{2}Z&to=\\d{4}-\\d{2}-\\d{2}T\\d{2}%3A\\d{2}Z&connector=.*"));
    assertThat(strings(js("return Chart.getChart('calls').data.labels"))).hasSize(25);
    set("preset", "custom");
    // a range the API refuses: its one line shows
    set("to", "2026-10-01");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#message .error")));
    assertThat(browser.findElement(By.cssSelector("#message .error")).getText())
        .contains("is not before to");
  }

  @Test
  @Order(Integer.MAX_VALUE) // adds a day of data: after the tests that count the three days
  void todaysCallsAppearWithoutAReload() throws Exception {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    open("/?range=today&refresh=1");
    awaitDashboard("from=" + today + "&to=" + today);
    js("window.sameDocument = true");
    long before = (long) kpi("calls");
    String loads = browser.findElement(By.tagName("body")).getAttribute("data-loads");
    f.cli(
        "generate",
        "--date",
        today.toString(),
        "--calls",
        "40",
        "--connectors",
        "1",
        "--seed",
        "17");
    f.cli("crawl", "raw");
    f.cli("etl", "--date", today.toString());
    long expected =
        calls().stream().filter(c -> c.day().equals(LocalDate.now(ZoneOffset.UTC))).count();
    assertThat(expected).isGreaterThan(before);
    wait.withMessage(
            () ->
                "calls shown: "
                    + browser.findElement(By.id("kpi-calls")).getText()
                    + ", expected "
                    + expected
                    + ", loads "
                    + browser.findElement(By.tagName("body")).getAttribute("data-loads")
                    + ", "
                    + js(
                        "return document.visibilityState + ' '"
                            + " + document.getElementById('message').textContent"))
        .until(
            d ->
                browser
                    .findElement(By.id("kpi-calls"))
                    .getText()
                    .replace(",", "")
                    .equals(Long.toString(expected)));
    assertThat(js("return window.sameDocument === true")).isEqualTo(true);
    assertThat(browser.findElement(By.tagName("body")).getAttribute("data-loads"))
        .isNotEqualTo(loads);
    screenshot("dashboard-today");
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
