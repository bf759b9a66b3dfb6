"use strict";
// CDR search: by phone number, voice connector, day range and status; pages; CSV export.
(function () {
  const el = cdr.el;
  const f = {
    number: el("input", { id: "number", placeholder: "+1503555…" }),
    connector: el("input", { id: "connector" }),
    from: cdr.dateInput("from"),
    to: cdr.dateInput("to"),
    status: el("select", { id: "status" }, el("option", { value: "" }, "any"), el("option", { value: "Completed" }, "Completed"),
      el("option", { value: "Failed" }, "Failed"))
  };
  const go = el("button", { id: "search", type: "submit" }, "Search");
  const exp = el("a", { id: "export" }, "Export CSV");
  const form = el("form", { class: "inline" }, el("label", {}, "Phone number (either end)", f.number),
    el("label", {}, "Voice connector", f.connector), el("label", {}, "From", f.from), el("label", {}, "To", f.to),
    el("label", {}, "Status", f.status), go, exp);
  const result = el("div", { id: "result" });
  let page = 1;

  function params() {
    const q = new URLSearchParams();
    for (const [k, input] of Object.entries(f)) if (input.value) q.set(k, input.value.trim());
    return q;
  }

  async function search() {
    const q = params();
    q.set("page", page);
    exp.href = "/api/cdrs?" + params() + "&format=csv";
    try {
      const r = await cdr.api("/api/cdrs?" + q);
      const prev = el("button", { id: "prev", type: "button" }, "Previous");
      const next = el("button", { id: "next", type: "button" }, "Next");
      prev.disabled = page === 1;
      next.disabled = !r.hasMore;
      prev.addEventListener("click", () => { page--; search(); });
      next.addEventListener("click", () => { page++; search(); });
      cdr.show(result, el("p", { id: "total" }, r.total.toLocaleString("en-US") + " calls, page " + r.page),
        el("div", { class: "bar" }, prev, next),
        el("div", { class: "scroll" }, cdr.table(r.columns, r.rows.map(row => r.columns.map(c => row[c])), "results")));
    } catch (err) {
      cdr.fail(result, err);
    }
  }
  form.addEventListener("submit", ev => { ev.preventDefault(); page = 1; search(); });
  cdr.show("content", form, result);
  exp.href = "/api/cdrs?format=csv";
})();
