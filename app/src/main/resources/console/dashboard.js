"use strict";
// Dashboard: a time range and a voice connector for every chart; key figures; calls, minutes and
// failed calls per day (per hour for two days or less) and per voice connector; calls per hour of
// day; days 1..N of the month against the same days of the month before; the last execution of
// each workflow. Refreshes by itself while the tab is visible and the range reaches now.
(function () {
  const el = cdr.el;
  const colors = ["#0b57d0", "#e37400", "#0a7a2f", "#a142f4", "#b00020", "#00838f", "#5f6368", "#f9ab00"];
  const params = new URLSearchParams(window.location.search);

  const preset = el("select", { id: "preset", "aria-label": "Time range" },
    ...[["today", "Today"], ["24h", "Last 24 hours"], ["7d", "Last 7 days"], ["30d", "Last 30 days"], ["month", "A month"],
      ["custom", "Custom days"]].map(([v, t]) => el("option", { value: v }, t)));
  const month = cdr.dateInput("month", true);
  const from = cdr.dateInput("from");
  const to = cdr.dateInput("to");
  const connector = el("select", { id: "connector", "aria-label": "Voice connector" },
    el("option", { value: "" }, "all voice connectors"));
  const refresh = el("select", { id: "refresh", "aria-label": "Refresh" },
    ...[["0", "off"], ["10", "10 s"], ["30", "30 s"], ["60", "1 min"], ["300", "5 min"]].map(([v, t]) => el("option", { value: v }, t)));
  const monthLabel = el("label", {}, "Month", month);
  const fromLabel = el("label", {}, "From", from);
  const toLabel = el("label", {}, "To (included)", to);
  const updated = el("span", { id: "updated", class: "muted" });
  const range = el("p", { id: "range", class: "muted" });
  const notice = el("div", { id: "notice" });
  const message = el("div", { id: "message" });

  preset.value = params.get("range") || "30d";
  month.value = params.get("month") || today().slice(0, 7);
  from.value = params.get("from") || "";
  to.value = params.get("to") || "";
  const every = /^[1-9][0-9]{0,3}$/.test(params.get("refresh") || "") || params.get("refresh") === "0" ? params.get("refresh") : "30";
  if (![...refresh.options].some(o => o.value === every)) refresh.append(el("option", { value: every }, every + " s"));
  refresh.value = every;
  let wantedConnector = params.get("connector") || "";

  function today() {
    return new Date().toISOString().slice(0, 10);
  }
  function addDays(day, n) {
    const d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  // The range asked for: {from, to} as the API takes them, and whether it reaches now.
  function chosen() {
    const t = today();
    switch (preset.value) {
      case "today": return { from: t, to: t, live: true };
      case "24h": {
        const now = new Date();
        now.setUTCSeconds(0, 0);
        const start = new Date(now.getTime() - 24 * 3600 * 1000);
        const iso = x => x.toISOString().slice(0, 16) + "Z";
        return { from: iso(start), to: iso(new Date(now.getTime() + 60 * 1000)), live: true };
      }
      case "7d": return { from: addDays(t, -6), to: t, live: true };
      case "month": {
        const m = month.value || t.slice(0, 7);
        const last = new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 0)).toISOString().slice(0, 10);
        return { from: m + "-01", to: last, live: last >= t && m + "-01" <= t };
      }
      case "custom": return from.value && to.value ? { from: from.value, to: to.value, live: to.value >= t && from.value <= t } : null;
      default: return { from: addDays(t, -29), to: t, live: true };
    }
  }

  function inputs() {
    monthLabel.style.display = preset.value === "month" ? "" : "none";
    fromLabel.style.display = toLabel.style.display = preset.value === "custom" ? "" : "none";
  }

  function remember() {
    const q = new URLSearchParams();
    q.set("range", preset.value);
    if (preset.value === "month") q.set("month", month.value);
    if (preset.value === "custom") { q.set("from", from.value); q.set("to", to.value); }
    if (connector.value) q.set("connector", connector.value);
    if (refresh.value !== "30") q.set("refresh", refresh.value);
    history.replaceState(null, "", "?" + q);
  }

  // key figures
  const tiles = {};
  function tile(id, label, unit) {
    const value = el("span", { class: "value", id: "kpi-" + id }, "…");
    tiles[id] = value;
    return el("div", { class: "kpi", id: "tile-" + id }, el("span", { class: "label" }, label), value,
      unit ? el("span", { class: "unit" }, unit) : null);
  }
  const kpis = el("div", { class: "kpis", id: "kpis" }, tile("calls", "Calls"), tile("minutes", "Billable minutes"),
    tile("asr", "ASR", "%"), tile("acd", "ACD", "min"), tile("failureRate", "Failure rate", "%"),
    tile("alarms", "Alarms firing"));
  const fmt = (v, digits) => v === null || v === undefined ? "—"
    : Number(v).toLocaleString("en-US", { minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0 });

  // the charts, made once and given new data on every load
  const charts = {};
  function card(id) {
    const canvas = el("canvas", { id: id });
    return { canvas: canvas, node: el("div", { class: "card" }, el("div", { class: "chart-box" }, canvas)) };
  }
  const cards = ["calls", "minutes", "failed", "callsPerHour", "months"].map(id => [id, card(id)]);
  function draw(id, config) {
    const base = { animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { title: { display: true, text: config.title } } };
    const options = Object.assign(base, config.options || {});
    const c = charts[id];
    if (!c) {
      charts[id] = new Chart(cards.find(x => x[0] === id)[1].canvas, { type: config.type, data: config.data, options: options });
    } else {
      c.data = config.data;
      c.options = options;
      c.update("none");
    }
  }

  let loading = null;
  let loads = 0;
  async function load() {
    const r = chosen();
    if (!r) {
      cdr.show(message, el("p", { class: "muted" }, "Choose the first and the last day."));
      return;
    }
    const q = new URLSearchParams({ from: r.from, to: r.to });
    if (connector.value || wantedConnector) q.set("connector", connector.value || wantedConnector);
    const mine = q.toString();
    loading = mine;
    let d;
    try {
      d = await cdr.api("/api/dashboard?" + mine);
    } catch (err) {
      if (loading === mine) cdr.fail(message, err);
      return;
    }
    if (loading !== mine) return; // a newer choice was made meanwhile
    cdr.show(message);
    // the connectors with calls in the range, and the one chosen even without calls
    const ids = new Set(d.allConnectors);
    if (wantedConnector) ids.add(wantedConnector);
    const keep = wantedConnector || connector.value;
    connector.replaceChildren(el("option", { value: "" }, "all voice connectors"),
      ...[...ids].sort().map(c => el("option", { value: c }, c)));
    connector.value = keep;
    wantedConnector = "";

    const k = d.kpis;
    tiles.calls.textContent = fmt(k.calls);
    tiles.minutes.textContent = fmt(k.minutes, 2);
    tiles.asr.textContent = fmt(k.asr, 2);
    tiles.acd.textContent = fmt(k.acd, 2);
    tiles.failureRate.textContent = fmt(k.failureRate, 2);
    alarms();

    const hourly = d.bucket === "hour";
    const per = hourly ? "per hour" : "per day";
    // hours read as HH:00, with the day at each midnight and at the first hour
    const x = hourly ? { ticks: { maxRotation: 0, autoSkip: true, callback: function (v, i) {
      const l = this.getLabelForValue(v);
      return i === 0 || l.endsWith(" 00:00") ? [l.slice(11), l.slice(0, 10)] : l.slice(11);
    } } } : {};
    const stacked = { scales: { x: Object.assign({ stacked: true }, x), y: { stacked: true, beginAtZero: true } } };
    const who = d.connector ? "voice connector " + d.connector : "by voice connector";
    draw("calls", { type: "bar", title: "Calls " + per + ", " + who,
      data: { labels: d.labels, datasets: d.connectors.map((c, i) => ({ label: c.voiceConnectorId, data: c.calls,
        backgroundColor: colors[i % colors.length] })) },
      options: { scales: { x: stacked.scales.x, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } });
    draw("minutes", { type: "bar", title: "Billable minutes " + per + ", " + who,
      data: { labels: d.labels, datasets: d.connectors.map((c, i) => ({ label: c.voiceConnectorId, data: c.minutes,
        backgroundColor: colors[i % colors.length] })) }, options: stacked });
    // failed calls on their own scale: counts on the left axis, the rate on the right one
    draw("failed", { type: "bar", title: "Failed calls " + per + " and failure rate",
      data: { labels: d.labels, datasets: [
        { label: "failed calls", data: d.failed, backgroundColor: colors[4], yAxisID: "y" },
        { label: "failure rate, %", type: "line", data: d.failureRate, borderColor: colors[6], backgroundColor: colors[6],
          spanGaps: true, yAxisID: "y1" }] },
      options: { scales: { x: x, y: { beginAtZero: true, position: "left", title: { display: true, text: "failed calls" },
        ticks: { precision: 0 } },
      y1: { beginAtZero: true, position: "right", title: { display: true, text: "%" }, grid: { drawOnChartArea: false } } } } });
    draw("callsPerHour", { type: "bar", title: "Calls per hour of day (UTC)",
      data: { labels: [...Array(24).keys()].map(h => String(h).padStart(2, "0")),
        datasets: [{ label: "calls", data: d.callsPerHour, backgroundColor: colors[0] }] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
    const m = d.months;
    const [before, now] = m.months;
    draw("months", { type: "bar", title: "Calls per day, days 1–" + m.days + ": " + now.month + " (" + fmt(now.totalCalls)
      + " calls, " + fmt(now.totalMinutes) + " min) against " + before.month + " (" + fmt(before.totalCalls) + " calls, "
      + fmt(before.totalMinutes) + " min)",
      data: { labels: [...Array(m.days).keys()].map(i => String(i + 1)), datasets: [
        { label: before.month, data: before.calls, backgroundColor: colors[6] },
        { label: now.month, data: now.calls, backgroundColor: colors[0] }] },
      options: { scales: { x: { title: { display: true, text: "day of month" } }, y: { beginAtZero: true } } } });

    range.textContent = "Calls that started from " + cdr.time(d.from) + " to " + cdr.time(d.to) + " (UTC, end excluded)"
      + (d.connector ? ", voice connector " + d.connector : "") + ".";
    cdr.show(notice, ...(k.calls === 0 && d.newestProcessedDay ? [newest(d.newestProcessedDay)] : []));

    const last = [];
    for (const w of ["daily", "full", "report"]) {
      const e = d.lastExecutions[w];
      last.push(e ? [w, el("td", {}, el("a", { href: "/execution.html?id=" + encodeURIComponent(e.id) }, e.id)),
        el("td", {}, cdr.status(e.status)), el("td", { class: "time" }, cdr.time(e.startedAt)), e.error]
        : [w, "never run", null, null, null]);
    }
    cdr.show("last-box", cdr.table(["workflow", "execution", "status", "started (UTC)", "error"], last, "last"));
    updated.textContent = "updated " + new Date().toISOString().slice(11, 19) + " UTC";
    loads++;
    document.body.setAttribute("data-charts", "drawn");
    document.body.setAttribute("data-loads", String(loads));
    document.body.setAttribute("data-range", mine);
  }

  // no calls in the range: where the data is
  function newest(day) {
    const b = el("button", { type: "button", id: "show-newest" }, "Show the 30 days up to " + day);
    b.addEventListener("click", () => {
      preset.value = "custom";
      from.value = addDays(day, -29);
      to.value = day;
      changed();
    });
    return el("p", { class: "muted" }, "No calls in this range. The newest processed day is " + day + ". ", b);
  }

  // alarms firing, from the alarms API; "—" where this service has none
  async function alarms() {
    try {
      const res = await fetch("/api/alarms?state=FIRING", { headers: { "Accept": "application/json" } });
      if (!res.ok) {
        tiles.alarms.textContent = "—";
        tiles.alarms.title = res.status === 404 ? "no alarms on this service" : res.status + " " + res.statusText;
        return;
      }
      const body = await res.json();
      tiles.alarms.textContent = fmt((body.alarms || []).length);
      tiles.alarms.title = "";
    } catch (err) {
      tiles.alarms.textContent = "—";
      tiles.alarms.title = String(err);
    }
  }

  function changed() {
    inputs();
    remember();
    load();
  }
  [preset, month, from, to, connector].forEach(x => x.addEventListener("change", changed));

  // refresh without a reload while the tab is visible and the range reaches now
  let timer = null;
  function schedule() {
    clearInterval(timer);
    const s = Number(refresh.value);
    if (s > 0) {
      timer = setInterval(() => {
        const r = chosen();
        if (document.visibilityState === "visible" && r && r.live) load();
      }, s * 1000);
    }
  }
  refresh.addEventListener("change", () => { remember(); schedule(); });
  document.addEventListener("visibilitychange", () => {
    const r = chosen();
    if (document.visibilityState === "visible" && r && r.live) load();
  });

  cdr.show("content",
    el("div", { class: "bar toolbar", id: "range-bar" }, el("label", {}, "Time range (UTC)", preset), monthLabel, fromLabel,
      toLabel, el("label", {}, "Voice connector", connector), el("label", {}, "Refresh", refresh), updated),
    range, message, notice, kpis,
    el("div", { class: "charts" }, ...cards.map(c => c[1].node)),
    el("h2", {}, "Last execution of each workflow"), el("div", { id: "last-box", class: "scroll-x" }));
  inputs();
  load();
  schedule();
})();
