"use strict";
// SQL: one read-only statement over the tables, its result as a table, or as CSV to download.
(function () {
  const el = cdr.el;
  const seed = "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount\n"
    + "FROM (SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount\n"
    + "      FROM cdrs.processed_cdrs GROUP BY npanxx) GROUP BY npanxx";
  const sql = el("textarea", { id: "sql", spellcheck: "false" });
  sql.value = seed;
  const run = el("button", { id: "run" }, "Run");
  const csv = el("button", { id: "csv" }, "Download CSV");
  const example = el("button", { id: "example", type: "button" }, "The starter kit's query");
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
        el("div", { class: "scroll" }, cdr.table(r.columns, r.rows, "results")));
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

  example.addEventListener("click", () => { sql.value = seed; });
  cdr.show("content", tables, sql, el("div", { class: "bar" }, run, csv, example), result);
})();
