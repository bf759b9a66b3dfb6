"use strict";
// SQL: one read-only statement over the tables, with the tables and their columns beside it, this
// browser's history of statements, the result as a table, a chart by a chosen column, or CSV; an
// EXPLAIN's plan as its lines. ?sql= opens the editor with a statement.
(function () {
  const el = cdr.el;
  const HISTORY = "cdr.sql.history";
  const KEPT = 50;
  // what the starter kit's query meant: the calls and their total duration per npanxx (as the monthly report)
  const corrected = "SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(*) AS CallCount\n"
    + "FROM cdrs.processed_cdrs WHERE npanxx IS NOT NULL\n"
    + "GROUP BY npanxx ORDER BY TotalDuration DESC, npanxx";
  // its outer COUNT(CallCount) counts the one inner row of each npanxx: every CallCount is 1
  const original = "SELECT npanxx, SUM(TotalDuration) AS TotalDuration, COUNT(CallCount) AS CallCount\n"
    + "FROM (SELECT npanxx, SUM(duration) AS TotalDuration, COUNT(callid) AS CallCount\n"
    + "      FROM cdrs.processed_cdrs GROUP BY npanxx) GROUP BY npanxx";
  const sql = el("textarea", { id: "sql", spellcheck: "false", "aria-label": "SQL statement" });
  const given = new URLSearchParams(window.location.search).get("sql");
  sql.value = given !== null ? given : corrected;
  const run = el("button", { id: "run", title: "Ctrl+Enter" }, "Run");
  const csv = el("button", { id: "csv" }, "Download CSV");
  const example = el("button", { id: "example", type: "button" }, "Calls per NPANXX");
  const verbatim = el("button", { id: "original", type: "button",
    title: "Its outer COUNT(CallCount) counts one row per npanxx: every CallCount is 1" },
    "The original's query, verbatim, with its defect");
  const result = el("div", { id: "result" });
  const graph = el("div", { id: "graph" });
  const sidebar = el("nav", { class: "sidebar", id: "sidebar", "aria-label": "Tables" }, el("p", { class: "muted" }, "Loading tables…"));
  const history = el("div", { id: "history" });
  const tables = el("p", { class: "muted" }, "One read-only statement over processed_cdrs, amazon_chime_voice_connector_cdrs "
    + "and quarantined_cdrs (also under the database name, e.g. cdrs.processed_cdrs). Click a name to put it in the statement.");
  let chart = null;

  // puts text where the cursor is
  function insert(text) {
    const a = sql.selectionStart;
    const b = sql.selectionEnd;
    sql.value = sql.value.slice(0, a) + text + sql.value.slice(b);
    sql.selectionStart = sql.selectionEnd = a + text.length;
    sql.focus();
  }

  async function loadTables() {
    try {
      const all = await cdr.api("/api/tables");
      const nodes = [];
      for (const t of all.tables) {
        const d = await cdr.api("/api/tables/" + encodeURIComponent(t.name));
        const name = el("button", { type: "button", class: "table-name", title: "Put the table's name in the statement" }, t.name);
        name.addEventListener("click", ev => { ev.preventDefault(); insert(t.name); });
        const list = el("ul", { id: "columns-of-" + t.name });
        for (const c of d.columns) {
          const b = el("button", { type: "button", "data-column": c.name }, c.name);
          b.addEventListener("click", () => insert(c.name));
          list.append(el("li", {}, b, el("span", { class: "type" }, c.type)));
        }
        const det = el("details", { "data-table": t.name }, el("summary", {}, name), list);
        det.open = t.name === "processed_cdrs";
        nodes.push(det);
      }
      cdr.show(sidebar, el("strong", {}, "Tables"), ...nodes);
    } catch (err) {
      cdr.fail(sidebar, err);
    }
  }

  function readHistory() {
    try {
      const h = JSON.parse(localStorage.getItem(HISTORY) || "[]");
      return Array.isArray(h) ? h.filter(x => x && typeof x.sql === "string") : [];
    } catch (e) {
      return [];
    }
  }

  function remember(entry) {
    const h = readHistory().filter(x => x.sql !== entry.sql);
    h.unshift(entry);
    try {
      localStorage.setItem(HISTORY, JSON.stringify(h.slice(0, KEPT)));
    } catch (e) {
      // a full or closed storage: the history is a convenience
    }
    showHistory();
  }

  function showHistory() {
    const h = readHistory();
    if (!h.length) {
      cdr.show(history, el("p", { class: "muted", id: "history-empty" }, "No statements run in this browser yet."));
      return;
    }
    const clear = el("button", { type: "button", id: "clear-history" }, "Clear history");
    clear.addEventListener("click", () => { localStorage.removeItem(HISTORY); showHistory(); });
    const list = el("ul", { class: "history", id: "history-list" });
    for (const x of h) {
      const use = el("button", { type: "button", class: "use" }, "Edit");
      use.addEventListener("click", () => { sql.value = x.sql; sql.focus(); window.scrollTo(0, 0); });
      list.append(el("li", {}, use, el("span", { class: "time muted" }, cdr.time(x.at)),
        el("span", { class: x.error ? "error" : "muted" }, x.error ? "error" : x.rows + (x.rows === 1 ? " row" : " rows")),
        el("code", { title: x.sql }, x.sql.replace(/\s+/g, " "))));
    }
    cdr.show(history, el("div", { class: "bar" }, clear), list);
  }

  // a chart of the result: one column along the x axis, the numeric ones as bars or lines
  function chartControls(r) {
    if (chart) { chart.destroy(); chart = null; }
    const numeric = r.columns.map((c, i) => i).filter(i => r.rows.some(row => typeof row[i] === "number"));
    if (!r.rows.length || !numeric.length) {
      cdr.show(graph);
      return;
    }
    const type = el("select", { id: "chart-type" }, el("option", { value: "bar" }, "bar"), el("option", { value: "line" }, "line"));
    const x = el("select", { id: "chart-x" }, ...r.columns.map((c, i) => el("option", { value: i }, c)));
    const y = el("select", { id: "chart-y" }, el("option", { value: "all" }, "every numeric column"),
      ...numeric.map(i => el("option", { value: i }, r.columns[i])));
    x.value = String(r.columns.findIndex((c, i) => !numeric.includes(i)) >= 0
      ? r.columns.findIndex((c, i) => !numeric.includes(i)) : 0);
    const draw = el("button", { type: "button", id: "draw" }, "Chart");
    const canvas = el("canvas", { id: "result-chart" });
    const box = el("div", { class: "chart-box" }, canvas);
    box.style.display = "none";
    draw.addEventListener("click", () => {
      const xi = Number(x.value);
      const ys = y.value === "all" ? numeric.filter(i => i !== xi) : [Number(y.value)];
      const colors = ["#0b57d0", "#e37400", "#0a7a2f", "#a142f4", "#b00020", "#00838f"];
      if (chart) chart.destroy();
      box.style.display = "";
      chart = new Chart(canvas, { type: type.value,
        data: { labels: r.rows.map(row => row[xi] === null ? "NULL" : String(row[xi])),
          datasets: ys.map((i, k) => ({ label: r.columns[i], data: r.rows.map(row => row[i]),
            backgroundColor: colors[k % colors.length], borderColor: colors[k % colors.length] })) },
        options: { animation: false, responsive: true, maintainAspectRatio: false,
          plugins: { title: { display: true, text: ys.map(i => r.columns[i]).join(", ") + " by " + r.columns[xi] } },
          scales: { y: { beginAtZero: true } } } });
      document.body.setAttribute("data-chart", "drawn");
    });
    cdr.show(graph, el("div", { class: "bar" }, el("label", {}, "Chart", type), el("label", {}, "By (x axis)", x),
      el("label", {}, "Of", y), draw), box);
  }

  async function execute() {
    cdr.show(result, el("p", { class: "muted" }, "Running…"));
    cdr.show(graph);
    const text = sql.value;
    const at = new Date().toISOString();
    try {
      const r = await cdr.post("/api/query", { sql: text, format: "json" });
      remember({ sql: text, at: at, rows: r.rowCount });
      cdr.show(result,
        el("p", { id: "summary" }, r.rowCount + " row" + (r.rowCount === 1 ? "" : "s") + " in " + r.elapsedMs + " ms"
          + (r.truncated ? " (cut at the row limit of " + r.rowLimit + ")" : "")),
        r.plan != null ? el("pre", { id: "plan", class: "plan" }, r.plan) // EXPLAIN: the plan's lines as drawn
          : el("div", { class: "scroll" }, cdr.table(r.columns, r.rows, "results")));
      if (r.plan == null) chartControls(r);
    } catch (err) {
      remember({ sql: text, at: at, error: err.message || String(err) });
      cdr.fail(result, err);
    }
  }

  run.addEventListener("click", execute);
  sql.addEventListener("keydown", ev => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); execute(); }
  });

  csv.addEventListener("click", async () => {
    try {
      const res = await fetch("/api/query", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sql: sql.value, format: "csv" }) });
      if (!res.ok) throw new Error((await res.json()).error);
      const url = URL.createObjectURL(await res.blob());
      const a = el("a", { href: url, download: "query.csv", id: "csv-link" });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      cdr.fail(result, err);
    }
  });

  example.addEventListener("click", () => { sql.value = corrected; });
  verbatim.addEventListener("click", () => { sql.value = original; });
  cdr.show("content", el("div", { class: "sql-layout" }, sidebar,
    el("div", { class: "editor" }, tables, sql, el("div", { class: "bar" }, run, csv, example, verbatim), result, graph,
      el("h2", {}, "History (this browser)"), history)));
  loadTables();
  showHistory();
})();
