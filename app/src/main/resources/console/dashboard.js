"use strict";
// Dashboard: calls and minutes per day and per voice connector, calls per hour, failure rate,
// this month against the last, and the last execution of each workflow.
(function () {
  const el = cdr.el;
  const colors = ["#0b57d0", "#e37400", "#0a7a2f", "#a142f4", "#b00020", "#00838f", "#5f6368", "#f9ab00"];

  function chart(id, type, labels, datasets, options) {
    const canvas = el("canvas", { id: id });
    const card = el("div", { class: "card" }, canvas);
    return { card: card, draw: () => new Chart(canvas, { type: type, data: { labels: labels, datasets: datasets },
      options: Object.assign({ animation: false, responsive: true, plugins: { title: { display: true, text: options.title } } },
        options.extra || {}) }) };
  }

  async function load() {
    let d;
    try {
      d = await cdr.api("/api/dashboard");
    } catch (err) {
      cdr.fail("content", err);
      return;
    }
    const stacked = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };
    const charts = [
      chart("callsPerDay", "bar", d.days, d.connectors.map((c, i) => ({ label: c.voiceConnectorId, data: c.calls,
        backgroundColor: colors[i % colors.length] })), { title: "Calls per day, by voice connector", extra: stacked }),
      chart("minutesPerDay", "bar", d.days, d.connectors.map((c, i) => ({ label: c.voiceConnectorId, data: c.minutes,
        backgroundColor: colors[i % colors.length] })), { title: "Billable minutes per day, by voice connector", extra: stacked }),
      chart("callsPerHour", "bar", [...Array(24).keys()].map(h => String(h).padStart(2, "0")),
        [{ label: "calls", data: d.callsPerHour, backgroundColor: colors[0] }], { title: "Calls per hour of day (UTC)" }),
      chart("failureRate", "line", d.days, [{ label: "failed calls, %", data: d.failureRatePerDay, borderColor: colors[4],
        spanGaps: true }], { title: "Failure rate per day (%)", extra: { scales: { y: { beginAtZero: true } } } }),
      chart("months", "bar", ["calls", "billable minutes", "failed calls"], d.months.map((m, i) => ({ label: m.month,
        data: [m.calls, m.minutes, m.failed], backgroundColor: colors[(i + 5) % colors.length] })),
        { title: d.months[1].month + " against " + d.months[0].month })
    ];
    const last = [];
    for (const w of ["daily", "full", "report"]) {
      const e = d.lastExecutions[w];
      last.push(e ? [w, el("td", {}, el("a", { href: "/execution.html?id=" + encodeURIComponent(e.id) }, e.id)),
        el("td", {}, cdr.status(e.status)), cdr.time(e.startedAt), e.error] : [w, "never run", null, null, null]);
    }
    cdr.show("content", el("p", { id: "range" }, "Days " + d.from + " to " + d.to + " (UTC), ending at the newest processed day."),
      el("div", { class: "charts" }, ...charts.map(c => c.card)),
      el("h2", {}, "Last execution of each workflow"), cdr.table(["workflow", "execution", "status", "started (UTC)", "error"], last, "last"));
    charts.forEach(c => c.draw());
    document.body.setAttribute("data-charts", "drawn");
  }
  load();
})();
