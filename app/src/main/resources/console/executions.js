"use strict";
// Executions: start one (daily, full or report, with an optional Date or Month), the list with filters.
(function () {
  const el = cdr.el;
  const workflow = el("select", { id: "workflow" }, ...["daily", "full", "report"].map(w => el("option", { value: w }, w)));
  const date = cdr.dateInput("date");
  const month = cdr.dateInput("month", true);
  const dateLabel = el("label", {}, "Date (empty: yesterday, UTC)", date);
  const monthLabel = el("label", {}, "Month (empty: last month)", month);
  const start = el("button", { id: "start", type: "submit" }, "Start execution");
  const startForm = el("form", { class: "inline", id: "start-form" }, el("label", {}, "Workflow", workflow), dateLabel, monthLabel, start);
  const startResult = el("div", { id: "start-result" });
  const status = el("select", { id: "filter-status" }, el("option", { value: "" }, "any status"),
    ...["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"].map(s => el("option", { value: s }, s)));
  const wf = el("select", { id: "filter-workflow" }, el("option", { value: "" }, "any workflow"),
    ...["daily", "full", "report"].map(w => el("option", { value: w }, w)));
  const list = el("div", { id: "list" });

  function inputs() {
    dateLabel.style.display = workflow.value === "daily" ? "" : "none";
    monthLabel.style.display = workflow.value === "report" ? "" : "none";
  }
  workflow.addEventListener("change", inputs);
  inputs();

  startForm.addEventListener("submit", async ev => {
    ev.preventDefault();
    const input = {};
    if (workflow.value === "daily" && date.value) input.Date = date.value;
    if (workflow.value === "report" && month.value) input.Month = month.value;
    try {
      const e = await cdr.post("/api/executions", { workflow: workflow.value, input: input });
      window.location.href = "/execution.html?id=" + encodeURIComponent(e.id);
    } catch (err) {
      cdr.fail(startResult, err);
    }
  });

  async function load() {
    const q = new URLSearchParams();
    if (status.value) q.set("status", status.value);
    if (wf.value) q.set("workflow", wf.value);
    try {
      const data = await cdr.api("/api/executions?" + q);
      const rows = data.executions.map(e => [
        el("td", {}, el("a", { href: "/execution.html?id=" + encodeURIComponent(e.id) }, e.id)),
        e.workflow, el("td", {}, cdr.status(e.status)), el("td", { class: "nowrap" }, JSON.stringify(e.input)), cdr.timeCell(e.startedAt),
        e.durationSeconds, e.error]);
      cdr.show(list, rows.length ? el("div", { class: "scroll-x" },
        cdr.table(["id", "workflow", "status", "input", "started (UTC)", "seconds", "error"], rows, "executions"))
        : el("p", { class: "muted", id: "executions-empty" }, "No executions."));
    } catch (err) {
      cdr.fail(list, err);
    }
  }
  status.addEventListener("change", load);
  wf.addEventListener("change", load);

  cdr.show("content", el("h2", {}, "Start execution"), startForm, startResult, el("h2", {}, "Executions"),
    el("div", { class: "bar" }, el("label", {}, "Status", status), el("label", {}, "Workflow", wf)), list);
  load();
  setInterval(load, 3000); // running executions move on by themselves
})();
