"use strict";
// One execution: its steps as a flow of states and a timeline of bars, input and output as
// folding JSON, error, the steps' table and the events; follows it while it runs.
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

  // the steps in their order, each in its state's colour, as Step Functions' graph shows them
  function flow(steps) {
    const f = el("div", { class: "flow", id: "flow" });
    steps.forEach((s, i) => {
      if (i > 0) f.append(el("span", { class: "arrow", "aria-hidden": "true" }, "→"));
      f.append(el("span", { class: "state state-" + s.status, "data-step": s.name, title: s.status }, s.name));
    });
    return f;
  }

  // one bar per step, placed on the execution's time from its start to its end (or now)
  function timeline(e) {
    const t0 = Date.parse(e.startedAt);
    const ends = e.steps.filter(s => s.endedAt).map(s => Date.parse(s.endedAt));
    const t1 = Math.max(e.endedAt ? Date.parse(e.endedAt) : Date.now(), t0 + 1, ...ends);
    const span = t1 - t0;
    const box = el("div", { class: "timeline", id: "timeline" });
    for (const s of e.steps) {
      const track = el("div", { class: "track" });
      if (s.startedAt) {
        const a = Date.parse(s.startedAt);
        const b = s.endedAt ? Date.parse(s.endedAt) : (e.status === "RUNNING" ? Date.now() : a);
        const bar = el("div", { class: "span span-" + s.status, "data-step": s.name,
          title: s.name + ": " + s.status + ", " + cdr.time(s.startedAt) + " to " + (s.endedAt ? cdr.time(s.endedAt) : "…") });
        bar.style.left = (100 * (a - t0) / span).toFixed(2) + "%";
        bar.style.width = (100 * Math.max(b - a, 0) / span).toFixed(2) + "%";
        track.append(bar);
      }
      box.append(el("div", { class: "row" }, el("span", { class: "name", title: s.name }, s.name), track,
        el("span", { class: "secs" }, s.durationSeconds === undefined ? s.status : s.durationSeconds.toFixed(1) + " s")));
    }
    box.append(el("div", { class: "axis" }, el("span", { class: "time" }, cdr.time(e.startedAt)),
      el("span", {}, (span / 1000).toFixed(1) + " s"),
      el("span", { class: "time" }, e.endedAt ? cdr.time(e.endedAt) : "now")));
    return box;
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
    // what the reader unfolded stays unfolded while the page follows the execution
    const folded = {};
    document.querySelectorAll(".json-tree").forEach(t => {
      folded[t.id] = [...t.querySelectorAll("details")].map(d => d.open);
    });
    const facts = cdr.table(["", "execution"], [
      ["status", el("td", { id: "status" }, cdr.status(e.status))], ["workflow", e.workflow], ["trigger", e.trigger],
      ["started (UTC)", cdr.timeCell(e.startedAt)], ["ended (UTC)", cdr.timeCell(e.endedAt)], ["seconds", e.durationSeconds],
      ["owner", e.owner]], "facts");
    const steps = cdr.table(["step", "status", "attempts", "started (UTC)", "ended (UTC)", "seconds", "detail"],
      e.steps.map(s => [s.name, el("td", {}, cdr.status(s.status)), s.attempts, cdr.timeCell(s.startedAt), cdr.timeCell(s.endedAt),
        s.durationSeconds === undefined ? null : s.durationSeconds, s.detail === undefined ? null : s.detail]), "steps");
    const events = cdr.table(["#", "at (UTC)", "event", "step", "detail"],
      e.events.map(v => [v.seq, cdr.timeCell(v.at), v.type, v.step, v.detail]), "events");
    const nodes = [el("div", { class: "scroll-x" }, facts)];
    if (e.status === "RUNNING") {
      const b = el("button", { id: "stop" }, "Stop");
      b.addEventListener("click", stop);
      nodes.push(el("p", {}, b), el("div", { id: "stop-result" }));
    }
    nodes.push(el("h2", {}, "Steps"), flow(e.steps), timeline(e));
    if (e.error) nodes.push(el("h2", {}, "Error"), el("p", { class: "error", id: "execution-error" }, e.error));
    nodes.push(el("h2", {}, "Input"), cdr.json(e.input, "input"));
    if (e.output) {
      nodes.push(el("h2", {}, "Output"));
      if (e.output.link) nodes.push(el("p", {}, el("a", { href: e.output.link, id: "output-link" }, "Download the report (npanxx.csv)")));
      nodes.push(cdr.json(e.output, "output", 1));
    }
    nodes.push(el("h2", {}, "Step details"), el("div", { class: "scroll-x" }, steps),
      el("h2", {}, "Events"), el("div", { class: "scroll-x" }, events));
    cdr.show("content", ...nodes);
    for (const [tid, states] of Object.entries(folded)) {
      const t = document.getElementById(tid);
      if (!t) continue;
      const ds = t.querySelectorAll("details");
      if (ds.length === states.length) ds.forEach((d, i) => { d.open = states[i]; });
    }
    if (e.status !== "RUNNING") clearInterval(timer);
  }

  load();
  timer = setInterval(load, 1500);
})();
