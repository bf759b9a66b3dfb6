// Shared by every page of the console: the API, tables built from JSON (text only, never HTML).
"use strict";

const cdr = {
  async api(path, options) {
    const res = await fetch(path, Object.assign({ headers: { "Accept": "application/json" } }, options || {}));
    const text = await res.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = { error: text }; }
    if (res.status === 401) { window.location.href = "/login"; }
    if (!res.ok) { throw new Error((body && body.error) || (res.status + " " + res.statusText)); }
    return body;
  },

  post(path, body) {
    return cdr.api(path, { method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body) });
  },

  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  },

  cell(v) {
    if (v === null || v === undefined) return cdr.el("td", { class: "muted" }, "NULL");
    if (typeof v === "number") return cdr.el("td", { class: "num" }, v.toLocaleString("en-US", { maximumFractionDigits: 6 }));
    if (typeof v === "object") return cdr.el("td", {}, JSON.stringify(v));
    return cdr.el("td", {}, v);
  },

  // A table of columns and rows (arrays); cells may be given as nodes.
  table(columns, rows, id) {
    const t = cdr.el("table", { id: id });
    const head = cdr.el("tr");
    columns.forEach(c => head.append(cdr.el("th", {}, c)));
    t.append(cdr.el("thead", {}, head));
    const body = cdr.el("tbody");
    for (const r of rows) {
      const tr = cdr.el("tr");
      r.forEach(v => tr.append(v instanceof Node ? (v.tagName === "TD" ? v : cdr.el("td", {}, v)) : cdr.cell(v)));
      body.append(tr);
    }
    t.append(body);
    return t;
  },

  status(s) {
    return cdr.el("span", { class: "status-" + s }, s);
  },

  // an ISO time as YYYY-MM-DD HH:MM:SSZ (UTC), whatever the browser's locale
  time(iso) {
    return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
  },

  // a day (or a month) typed as YYYY-MM-DD (YYYY-MM), whatever the browser's locale would show
  dateInput(id, month) {
    return cdr.el("input", { id: id, type: "text", inputmode: "numeric", size: month ? 8 : 11, class: "date",
      placeholder: month ? "YYYY-MM" : "YYYY-MM-DD", pattern: month ? "\\d{4}-\\d{2}" : "\\d{4}-\\d{2}-\\d{2}" });
  },

  // a table cell of a time, kept on one line
  timeCell(iso) {
    return cdr.el("td", { class: "time" }, cdr.time(iso));
  },

  // JSON as a tree whose objects and arrays fold (details/summary); every value is text
  json(value, id, open) {
    function node(v, key, depth) {
      const name = key === null ? null : cdr.el("span", { class: "json-key" }, key + ": ");
      if (v !== null && typeof v === "object") {
        const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
        const d = cdr.el("details", { class: "json" });
        d.open = depth < (open === undefined ? 2 : open);
        d.append(cdr.el("summary", {}, name, Array.isArray(v) ? "[" + v.length + "]" : "{" + entries.length + "}"));
        for (const [k, x] of entries) d.append(node(x, k, depth + 1));
        return d;
      }
      return cdr.el("div", { class: "json-leaf" }, name,
        cdr.el("span", { class: "json-" + (v === null ? "null" : typeof v) }, JSON.stringify(v)));
    }
    return cdr.el("div", { class: "json-tree", id: id }, node(value, null, 0));
  },

  show(target, ...nodes) {
    const e = typeof target === "string" ? document.getElementById(target) : target;
    e.replaceChildren(...nodes);
  },

  fail(target, err) {
    cdr.show(target, cdr.el("p", { class: "error", id: "error" }, err.message || String(err)));
  },

  nav() {
    const pages = [["/", "Dashboard"], ["/executions.html", "Executions"], ["/sql.html", "SQL"], ["/catalog.html", "Catalog"],
      ["/reports.html", "Reports"], ["/search.html", "CDR search"], ["/alarms.html", "Alarms"]];
    const here = window.location.pathname === "/index.html" ? "/" : window.location.pathname;
    const header = cdr.el("header", {}, cdr.el("span", { class: "brand" }, "CDR Pipeline"));
    for (const [href, name] of pages) {
      header.append(cdr.el("a", { href: href, class: (here === href || (href === "/executions.html" && here === "/execution.html")) ? "current" : null }, name));
    }
    document.body.prepend(header);
  }
};

document.addEventListener("DOMContentLoaded", cdr.nav);
