// The trends screen (supervisors, compliance): counts by period, region and type, drawn here as an
// SVG bar chart; suppressed cells are shown as suppressed, never as a number. Every report is audited.

import { api, explain } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function svg(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes || {})) { node.setAttribute(key, String(value)); }
  if (text !== undefined) { node.textContent = text; }
  return node;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) { td.className = className; }
  return td;
}

/// The label of a region or type code ("all" and "not-recorded" in words).
function label(code) {
  if (code === undefined || code === null) { return ""; }
  if (code === "all" || code === "total" || code === "not-recorded" || code === "several") { return t("trendWords." + code); }
  return code;
}

/// The bars of a report: one per period (the row over all regions and types), else one per region
/// or type that had anyone (or is suppressed).
export function series(report) {
  const overall = (c) => (c.region === undefined || c.region === "all") && (c.type === undefined || c.type === "all");
  if (report.by.split(",").some((word) => ["month", "quarter", "year"].includes(word))) {
    return report.cells.filter((c) => c.period !== "total" && overall(c)).map((c) => ({ label: c.period, count: c.count }));
  }
  const key = report.by.includes("region") ? "region" : "type";
  return report.cells
    .filter((c) => c[key] !== "all" && (key === "region" ? (c.type === undefined || c.type === "all") : true))
    .filter((c) => c.count === null || c.count > 0)
    .map((c) => ({ label: label(c[key]), count: c.count }));
}

/// The chart: bars scaled to the largest published count; a suppressed bar is hatched, of a fixed
/// height, marked "S" and named in its title (no height could be read as a count).
export function chart(bars, threshold) {
  const width = Math.max(320, 40 + bars.length * 28);
  const height = 250;
  const top = 16;
  const base = 170;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart", role: "img", "aria-label": t("trendsChart") });
  const defs = svg("defs");
  const pattern = svg("pattern", { id: "suppressed-hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pattern.append(svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "hatch-line" }));
  defs.append(pattern);
  root.append(defs);
  const largest = Math.max(threshold, ...bars.map((b) => b.count || 0));
  root.append(svg("line", { x1: 30, y1: base, x2: width - 5, y2: base, class: "axis" }));
  root.append(svg("text", { x: 2, y: top + 4 }, String(largest)));
  root.append(svg("text", { x: 2, y: base }, "0"));
  bars.forEach((bar, index) => {
    const x = 36 + index * 28;
    const group = svg("g", { class: bar.count === null ? "bar suppressed" : "bar", "data-label": bar.label });
    const title = bar.label + ": " + (bar.count === null ? t("suppressed") : String(bar.count));
    group.append(svg("title", {}, title));
    if (bar.count === null) {
      const h = (base - top) * 0.25;
      group.append(svg("rect", { x, y: base - h, width: 20, height: h, class: "bar-suppressed" }));
      group.append(svg("text", { x: x + 6, y: base - h - 3, class: "mark" }, "S"));
    } else {
      const h = largest ? (base - top) * bar.count / largest : 0;
      group.append(svg("rect", { x, y: base - h, width: 20, height: h, class: "bar-count" }));
    }
    group.append(svg("text", { x: x + 10, y: base + 12, transform: `rotate(60 ${x + 10} ${base + 12})` }, bar.label));
    root.append(group);
  });
  return root;
}

export class TrendsScreen {
  constructor({ signal }) {
    $("trends-form").addEventListener("submit", (event) => { event.preventDefault(); this.load(); }, { signal });
  }

  async load() {
    const by = [$("trends-period").value, $("trends-region").checked ? "region" : "", $("trends-type").checked ? "type" : ""]
      .filter(Boolean).join(",");
    if (!by) { $("trends-error").textContent = t("trendsNeedBy"); return; }
    const parameters = new URLSearchParams({ by });
    // Reports are made of whole quarters (whole years by year): a month chosen stands for its own.
    const span = $("trends-period").value === "year" ? 12 : 3;
    const bound = (value, end) => {
      const [year, month] = value.split("-").map(Number);
      const first = Math.floor((month - 1) / span) * span + 1;
      return year + "-" + String(end ? first + span - 1 : first).padStart(2, "0");
    };
    if ($("trends-from").value) { parameters.set("from", bound($("trends-from").value, false)); }
    if ($("trends-to").value) { parameters.set("to", bound($("trends-to").value, true)); }
    const answer = await api.get("/api/v1/trends?" + parameters.toString());
    if (!answer.ok) { $("trends-error").textContent = explain(answer); return; }
    $("trends-error").textContent = "";
    this.render(answer.body);
  }

  render(report) {
    $("trends-about").textContent = t("trendsAbout", {
      from: report.from || "—", to: report.to || "—", through: report.through || "—", below: report.threshold - 1,
    });
    const bars = series(report);
    $("trends-chart").replaceChildren(chart(bars, report.threshold));
    $("trends-legend").textContent = t("trendsLegend", { threshold: report.threshold });
    $("trends-figure").hidden = bars.length === 0;
    // Only the columns of the grouping; rows with nobody in them are left out (the chart keeps the periods).
    const first = report.cells[0] || {};
    const columns = ["period", "region", "type"].filter((key) => first[key] !== undefined);
    const head = document.createElement("tr");
    head.append(...columns.concat(["cases"]).map((key) => { const th = document.createElement("th"); th.textContent = t(key); return th; }));
    $("trends-table").querySelector("thead").replaceChildren(head);
    $("trends-table").querySelector("tbody").replaceChildren(...report.cells.filter((c) => c.count !== 0).map((c) => {
      const row = document.createElement("tr");
      row.append(...columns.map((key) => cell(label(c[key]))),
        c.count === null ? cell(t("suppressed"), "suppressed") : cell(String(c.count), "number"));
      return row;
    }));
  }

  clear() {
    $("trends-chart").replaceChildren();
    $("trends-table").querySelector("tbody").replaceChildren();
    $("trends-about").textContent = "";
    $("trends-error").textContent = "";
    $("trends-figure").hidden = true;
  }
}
