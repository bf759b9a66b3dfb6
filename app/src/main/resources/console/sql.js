"use strict";
// SQL: one read-only statement over the tables, its result as a table, or as CSV to download.
(function () {
  const el = cdr.el;
  // what the starter kit's query meant: the calls and their total duration per npanxx (as the monthly report)
  const corrected = "SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(*) AS CallCount\n"
    + "FROM cdrs.processed_cdrs WHERE npanxx IS NOT NULL\n"
    + "GROUP BY npanxx ORDER BY TotalDuration DESC, npanxx";
  // its outer COUNT(CallCount) counts the one inner row of each npanxx: every CallCount is 1
  const original = "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount\n"
    + "FROM (SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount\n"
    + "      FROM cdrs.processed_cdrs GROUP BY npanxx) GROUP BY npanxx";
  const sql = el("textarea", { id: "sql", spellcheck: "false" });
  // a query handed over in the address (the Alarms page's "Rows in SQL"), else the example
  sql.value = new URLSearchParams(window.location.search).get("sql") || corrected;
  const run = el("button", { id: "run" }, "Run");
  const csv = el("button", { id: "csv" }, "Download CSV");
  const example = el("button", { id: "example", type: "button" }, "Calls per NPANXX");
  const verbatim = el("button", { id: "original", type: "button",
    title: "Its outer COUNT(CallCount) counts one row per npanxx: every CallCount is 1" },
    "The original's query, verbatim, with its defect");
  const result = el("div", { id: "result" });
  const tables = el("p", { class: "muted" }, "Tables: processed_cdrs, amazon_chime_voice_connector_cdrs, quarantined_cdrs "
    + "(also under the database name, e.g. cdrs.processed_cdrs). One read-only statement; DESCRIBE processed_cdrs shows the columns.");

  run.addEventListener("click", async () => {
    cdr.show(result, el("p", { class: "muted" }, "Running…"));
    try {
      const r = await cdr.post("/api/query", { sql: sql.value, format: "json" });
      cdr.show(result,
        el("p", { id: "summary" }, r.rowCount + " row" + (r.rowCount === 1 ? "" : "s") + " in " + r.elapsedMs + " ms"
          + (r.truncated ? " (cut at the row limit of " + r.rowLimit + ")" : "")),
        r.plan != null ? el("pre", { id: "plan", class: "plan" }, r.plan) // EXPLAIN: the plan's lines as drawn
          : el("div", { class: "scroll" }, cdr.table(r.columns, r.rows, "results")));
    } catch (err) {
      cdr.fail(result, err);
    }
  });

  csv.addEventListener("click", async () => {
    try {
      const res = await fetch("/api/query", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sql: sql.value, format: "csv" }) });
      if (!res.ok) throw new Error((await res.json()).error);
      const url = URL.createObjectURL(await res.blob());
      const a = el("a", { href: url, download: "query.csv" });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      cdr.fail(result, err);
    }
  });

  example.addEventListener("click", () => { sql.value = corrected; });
  verbatim.addEventListener("click", () => { sql.value = original; });
  cdr.show("content", tables, sql, el("div", { class: "bar" }, run, csv, example, verbatim), result);
})();
