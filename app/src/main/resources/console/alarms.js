"use strict";
// Alarms: the firing ones first, then the recent ones, each with its evidence (the rule's query and its top
// rows), an acknowledge button and a link that opens the query in SQL. Every value is shown as text.
(function () {
  const el = cdr.el;
  const state = el("select", { id: "filter-state" }, el("option", { value: "" }, "firing and recent"),
    el("option", { value: "FIRING" }, "firing"), el("option", { value: "RESOLVED" }, "resolved"));
  const list = el("div", { id: "alarms" });

  function card(a) {
    const ack = a.acknowledged
      ? el("span", { class: "muted ack-done" }, "acknowledged " + cdr.time(a.acknowledgedAt) + (a.acknowledgedBy ? " by " + a.acknowledgedBy : ""))
      : el("button", { class: "ack", type: "button" }, "Acknowledge");
    if (!a.acknowledged) {
      ack.addEventListener("click", async () => {
        ack.disabled = true;
        try {
          await cdr.post("/api/alarms/" + encodeURIComponent(a.id) + "/ack", {});
          await load();
        } catch (err) {
          ack.disabled = false;
          cdr.fail(list, err);
        }
      });
    }
    const sqlLink = el("a", { class: "sql-link", href: "/sql.html?sql=" + encodeURIComponent(a.evidence.query) }, "Rows in SQL");
    const facts = cdr.table(["rule", "state", "fired (UTC)", "resolved (UTC)", "window (UTC)", "connectors"], [[
      a.rule, el("td", {}, cdr.status(a.state)), cdr.time(a.firedAt), cdr.time(a.resolvedAt),
      cdr.time(a.window.from) + " to " + cdr.time(a.window.to), a.connectors.join(", ")]]);
    const evidence = a.evidence.rows.length
      ? el("div", { class: "scroll" }, cdr.table(a.evidence.columns, a.evidence.rows, null))
      : el("p", { class: "muted" }, "No rows.");
    const query = el("details", {}, el("summary", {}, "Query"), el("pre", { class: "query" }, a.evidence.query));
    return el("section", { class: "alarm", id: "alarm-" + a.id, "data-state": a.state },
      el("h2", {}, a.name + " ", el("span", { class: "muted" }, a.id)),
      el("div", { class: "bar" }, ack, sqlLink), facts, el("h3", {}, "Evidence"), evidence, query);
  }

  async function load() {
    try {
      const q = state.value ? "?state=" + encodeURIComponent(state.value) : "";
      const data = await cdr.api("/api/alarms" + q);
      // firing first, then the rest as the API gives them (newest first)
      const alarms = data.alarms.filter(a => a.state === "FIRING").concat(data.alarms.filter(a => a.state !== "FIRING"));
      const firing = alarms.filter(a => a.state === "FIRING").length;
      cdr.show(list, el("p", { id: "alarms-summary" }, firing + " firing, " + (alarms.length - firing) + " resolved"),
        ...(alarms.length ? alarms.map(card) : [el("p", { class: "muted", id: "alarms-empty" }, "No alarms.")]));
    } catch (err) {
      cdr.fail(list, err);
    }
  }
  state.addEventListener("change", load);
  cdr.show("content", el("div", { class: "bar" }, el("label", {}, "Show", state)), list);
  load();
  setInterval(load, 30000); // a watch batch or the daily ETL may change them
})();
