"use strict";
// One execution: input, output, error and the step timeline; follows it while it runs.
(function () {
  const el = cdr.el;
  const id = new URLSearchParams(window.location.search).get("id");
  let timer = null;

  async function stop() {
    try {
      await cdr.post("/api/executions/" + encodeURIComponent(id) + "/stop", {});
      load();
    } catch (err) {
      cdr.fail("stop-result", err);
    }
  }

  async function load() {
    let e;
    try {
      e = await cdr.api("/api/executions/" + encodeURIComponent(id));
    } catch (err) {
      cdr.fail("content", err);
      clearInterval(timer);
      return;
    }
    document.querySelector("h1").textContent = "Execution " + e.id;
    const facts = cdr.table(["", "execution"], [
      ["status", el("td", { id: "status" }, cdr.status(e.status))], ["workflow", e.workflow], ["trigger", e.trigger],
      ["started (UTC)", cdr.time(e.startedAt)], ["ended (UTC)", cdr.time(e.endedAt)], ["seconds", e.durationSeconds],
      ["owner", e.owner]], "facts");
    const steps = cdr.table(["step", "status", "attempts", "started (UTC)", "ended (UTC)", "seconds", "detail"],
      e.steps.map(s => [s.name, el("td", {}, cdr.status(s.status)), s.attempts, cdr.time(s.startedAt), cdr.time(s.endedAt),
        s.durationSeconds === undefined ? null : s.durationSeconds, s.detail === undefined ? null : s.detail]), "steps");
    const events = cdr.table(["#", "at (UTC)", "event", "step", "detail"],
      e.events.map(v => [v.seq, cdr.time(v.at), v.type, v.step, v.detail]), "events");
    const nodes = [facts];
    if (e.status === "RUNNING") {
      const b = el("button", { id: "stop" }, "Stop");
      b.addEventListener("click", stop);
      nodes.push(el("p", {}, b), el("div", { id: "stop-result" }));
    }
    nodes.push(el("h2", {}, "Input"), el("pre", { id: "input" }, JSON.stringify(e.input, null, 2)));
    if (e.error) nodes.push(el("h2", {}, "Error"), el("p", { class: "error", id: "execution-error" }, e.error));
    if (e.output) {
      nodes.push(el("h2", {}, "Output"));
      if (e.output.link) nodes.push(el("p", {}, el("a", { href: e.output.link, id: "output-link" }, "Download the report (npanxx.csv)")));
      nodes.push(el("pre", { id: "output" }, JSON.stringify(e.output, null, 2)));
    }
    nodes.push(el("h2", {}, "Step timeline"), steps, el("h2", {}, "Events"), events);
    cdr.show("content", ...nodes);
    if (e.status !== "RUNNING") clearInterval(timer);
  }

  load();
  timer = setInterval(load, 1500);
})();
