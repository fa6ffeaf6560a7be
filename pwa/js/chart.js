// A hand-written line chart in inline SVG (no library): one line per series, dashes and point
// shapes as well as colours, and the same numbers as a table for screen readers and print.

import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
// Keep in step with .swatch.s0–s5 in app.css (the policy forbids inline style attributes).
const COLOURS = ["#b71c1c", "#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#37474f"];
const DASHES = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"];

function s(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A "nice" axis maximum at or above `value` (1, 2, 5 × 10^n). */
function niceMax(value) {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value);
}

/**
 * A <figure> with the chart and its data table.
 * `labels`: x-axis labels; `series`: [{name, values}]; `title`, `tableCaption`, `valueLabel`.
 */
export function lineChart({ id, title, labels, series, tableCaption, summary }) {
  const width = 640, height = 280;
  const pad = { left: 40, right: 12, top: 12, bottom: 40 };
  const plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom;
  const top = niceMax(Math.max(1, ...series.flatMap((one) => one.values)));
  const x = (i) => pad.left + (labels.length === 1 ? plotW / 2 : (plotW * i) / (labels.length - 1));
  const y = (v) => pad.top + plotH - (plotH * v) / top;
  const ticks = [0, top / 4, top / 2, (3 * top) / 4, top];
  const every = Math.max(1, Math.ceil(labels.length / 6)); // at most ~6 x labels on a phone

  const grid = ticks.map((v) => s("g", {},
    s("line", { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), stroke: "#ddd" }),
    s("text", { x: pad.left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 12, fill: "#555" }, Math.round(v))));
  const xLabels = labels.map((text, i) => (i % every === 0 || i === labels.length - 1
    ? s("text", { x: x(i), y: height - pad.bottom + 18, "text-anchor": "middle", "font-size": 12, fill: "#555" }, text)
    : null));
  const lines = series.map((one, n) => {
    const colour = COLOURS[n % COLOURS.length];
    const points = one.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    return s("g", { class: "series", "data-name": one.name },
      s("polyline", { points, fill: "none", stroke: colour, "stroke-width": 2.5, "stroke-dasharray": DASHES[n % DASHES.length] || null }),
      one.values.map((v, i) => (n % 2
        ? s("rect", { x: x(i) - 3.5, y: y(v) - 3.5, width: 7, height: 7, fill: colour })
        : s("circle", { cx: x(i), cy: y(v), r: 3.5, fill: colour }))));
  });
  const titleId = `${id}-title`, descId = `${id}-desc`;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, class: "chart", id },
    s("title", { id: titleId }, title), s("desc", { id: descId }, summary), grid, xLabels, lines);
  const legend = h("ul", { class: "legend" }, series.map((one, n) =>
    h("li", {}, h("span", { class: `swatch s${n % COLOURS.length}`, "aria-hidden": "true" }), one.name)));
  const table = h("table", { class: "data" },
    h("caption", {}, tableCaption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), labels.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, series.map((one) => h("tr", {}, h("th", { scope: "row" }, one.name), one.values.map((v) => h("td", {}, v))))));
  return h("figure", { class: "chart-box" }, svg, legend,
    h("details", {}, h("summary", {}, tableCaption), h("div", { class: "table-scroll" }, table)));
}
