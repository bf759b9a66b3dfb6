"use strict";
// Reports: every month's files with expiring download links.
(function () {
  const el = cdr.el;
  async function load() {
    try {
      const r = await cdr.api("/api/reports");
      if (!r.reports.length) {
        cdr.show("content", el("p", { class: "muted", id: "no-reports" }, "No reports yet: start a report execution."));
        return;
      }
      const rows = [];
      for (const m of r.reports) {
        for (const f of m.files) {
          rows.push([m.month, el("td", {}, el("a", { href: f.link, id: "link-" + m.month + "-" + f.name }, f.name)), f.bytes,
            cdr.timeCell(f.expiresAt)]);
        }
      }
      cdr.show("content", el("p", {}, "Links work for " + r.linkExpirySeconds + " s (linkExpiry), without a token."),
        cdr.table(["month", "file", "bytes", "link expires (UTC)"], rows, "reports"));
    } catch (err) {
      cdr.fail("content", err);
    }
  }
  load();
})();
