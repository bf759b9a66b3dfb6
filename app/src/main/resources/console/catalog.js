"use strict";
// Catalog: the tables, each with its columns and types, partitions, schema changes and rejected files.
(function () {
  const el = cdr.el;

  async function load() {
    try {
      const all = await cdr.api("/api/tables");
      const nodes = [el("div", { class: "scroll-x" }, cdr.table(["table", "crawled", "format", "columns", "partitions", "location"],
        all.tables.map(t => [el("td", {}, el("a", { href: "#" + t.name }, t.name)), t.crawled ? "yes" : "no", t.format, t.columns,
          t.partitions, t.location]), "tables")),
        el("p", { id: "totals" }, all.processedDays + " processed days, " + all.rows.toLocaleString("en-US") + " rows, "
          + all.rejectedFiles.toLocaleString("en-US") + " rejected files")];
      for (const t of all.tables) {
        const d = await cdr.api("/api/tables/" + encodeURIComponent(t.name));
        nodes.push(el("h2", { id: t.name }, t.name + (d.partitionKeys.length ? " (partitioned by " + d.partitionKeys.join(", ") + ")" : "")));
        nodes.push(el("h3", {}, "Columns"), cdr.table(["#", "column", "type", "source field"],
          d.columns.map(c => [c.position, c.name, c.type, c.sourceName]), "columns-" + t.name));
        if (d.days) {
          nodes.push(el("h3", {}, "Processed days"), cdr.table(["day", "rows", "rejected", "raw files", "files", "processed (UTC)"],
            d.days.map(x => [x.day, x.rows, x.rejected, x.sourceObjects, x.files, cdr.timeCell(x.processedAt)]), "days-" + t.name));
        }
        nodes.push(el("h3", {}, "Partitions (" + d.partitions.length + ")"), el("div", { class: "scroll" },
          cdr.table(["source", "path", "voice connector", "date", "objects", "bytes", "crawled (UTC)"],
            d.partitions.map(x => [x.source, x.path, x.voiceConnectorId, x.date, x.objects, x.bytes, cdr.timeCell(x.crawledAt)]),
            "partitions-" + t.name)));
        nodes.push(el("h3", {}, "Schema changes"), d.schemaChanges.length
          ? cdr.table(["at (UTC)", "change"], d.schemaChanges.map(s => [cdr.timeCell(s.at), s.text]), "changes-" + t.name)
          : el("p", { class: "muted" }, "None."));
        if (t.name === "processed_cdrs") {
          nodes.push(el("h3", {}, "Quarantined files (" + d.quarantinedTotal + ")"), d.quarantined.length
            ? el("div", { class: "scroll" }, cdr.table(["day", "file", "reason"], d.quarantined.map(q => [q.day, q.sourceKey, q.reason]),
              "quarantined"))
            : el("p", { class: "muted" }, "None."));
        }
      }
      cdr.show("content", ...nodes);
    } catch (err) {
      cdr.fail("content", err);
    }
  }
  load();
})();
