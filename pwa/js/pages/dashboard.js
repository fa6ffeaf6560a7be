// Synthesis dashboard (staff): topics over time, rising topics and groups, communes coloured by
// overdue work, response metrics, report downloads. Every figure is scoped by the backend.

import { provinces, reportUrl, stats } from "../api.js";
import { lineChart } from "../chart.js";
import { communePicker } from "../commune-picker.js";
import { communeIndex } from "../communes.js";
import { byId, fill, h } from "../dom.js";
import { apply, label, locale, t } from "../i18n.js";
import { STAFF_ROLES } from "../session.js";
import { startPage } from "../shell.js";
import { requireRole } from "../staff.js";

const PERIODS = ["day", "week", "month"];
const PERIOD_DAYS = { day: 1, week: 7, month: 30 };
const BUCKETS = { day: 14, week: 8, month: 6 };
const TOP_TOPICS = 5;

await startPage();
const user = await requireRole(STAFF_ROLES);
if (user) await showDashboard(user);

function filtersFromUrl() {
  const p = new URLSearchParams(location.search);
  const period = PERIODS.includes(p.get("period")) ? p.get("period") : "week";
  return { period, province: p.get("province") || "", commune_code: p.get("commune_code") || "" };
}

async function showDashboard(me) {
  byId("main-content").hidden = false;
  const filters = filtersFromUrl();
  if (me.role === "province_staff") filters.province = me.province_code || "";
  let entries = [];
  await communeIndex().then((all) => (entries = all)).catch(() => {});
  const inScope = me.role === "commune_staff" ? me.commune_codes
    : me.role === "province_staff" ? entries.filter((e) => e.province_code === me.province_code).map((e) => e.code) : null;
  const picker = communePicker(byId("d-commune"), { allowed: inScope, initial: filters.commune_code || null });
  const provinceList = await provinces().catch(() => []);

  const drawSelects = () => {
    byId("d-period").replaceChildren(...PERIODS.map((p) => h("option", { value: p, selected: p === filters.period }, t(`dashboard.period_${p}`))));
    const choices = me.role === "admin" ? provinceList : provinceList.filter((p) => p.code === me.province_code);
    byId("d-province").replaceChildren(
      me.role === "admin" ? h("option", { value: "" }, t("dashboard.all_provinces")) : null,
      ...choices.map((p) => h("option", { value: p.code, selected: p.code === filters.province }, p.name)));
    byId("d-province").disabled = me.role !== "admin";
    byId("d-province").closest(".inline").querySelectorAll("[for=d-province], #d-province")
      .forEach((el) => (el.hidden = me.role === "commune_staff"));
  };
  drawSelects();

  const load = async () => {
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    history.replaceState(null, "", `?${query}`);
    const status = byId("dash-status");
    status.textContent = t("inbox.loading");
    const days = PERIOD_DAYS[filters.period] * BUCKETS[filters.period];
    const to = new Date();
    const range = { received_from: new Date(to - days * 86400000).toISOString(), received_to: to.toISOString() };
    // The server narrows to the chosen province, or to the chosen commune's (an admin's
    // drill-down reads one province); the whole country is shown province by province, each a
    // link to its communes.
    const communeProvince = entries.find((e) => e.code === filters.commune_code)?.province_code;
    const province = { province_code: filters.province || communeProvince || "" };
    const country = me.role === "admin" && !province.province_code;
    try {
      const [trends, spikes, coverage, overall, byTopic] = await Promise.all([
        stats("trends", { ...province, period: filters.period, periods: BUCKETS[filters.period], commune_code: filters.commune_code }),
        stats("spikes", { ...province, period: filters.period }),
        stats(country ? "coverage/provinces" : "coverage", { ...province, ...range }),
        stats("response", { ...province, ...range, by: "all" }),
        stats("response", { ...province, ...range, by: "topic" }),
      ]);
      drawTrends(trends);
      drawSpikes(spikes);
      if (country) drawProvinces(coverage, filters.period);
      else drawCoverage(coverage.filter((row) => !filters.commune_code || row.commune_code === filters.commune_code));
      drawResponse(overall[0], byTopic);
      drawExports(range);
      status.textContent = t("dashboard.updated", { time: new Intl.DateTimeFormat(locale(), { timeStyle: "short" }).format(to) });
    } catch (error) {
      if (!("status" in error)) console.error(error); // a bug here, not the network
      status.textContent = t(error.status === 0 ? "staff.needs_network" : "inbox.error", { reason: error.detail || error.message });
    }
  };
  byId("dash-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    filters.period = byId("d-period").value;
    filters.province = byId("d-province").value;
    filters.commune_code = picker.code || "";
    load();
  });
  byId("d-clear").addEventListener("click", () => {
    Object.assign(filters, { period: "week", commune_code: "", province: me.role === "province_staff" ? me.province_code : "" });
    picker.reset();
    drawSelects();
    load();
  });
  document.addEventListener("langchange", () => {
    drawSelects();
    load();
  });
  await load();
}

// Function declarations (hoisted): the page's top-level await runs before later consts exist.
function shortDate(iso) {
  return new Intl.DateTimeFormat(locale(), { day: "2-digit", month: "2-digit" }).format(new Date(`${iso}T00:00:00`));
}
function percent(share) {
  return share == null ? "—" : new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(share);
}
function number(value, digits = 1) {
  return value == null ? "—" : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

function drawTrends(trends) {
  const top = trends.series.slice(0, TOP_TOPICS);
  if (!top.length) {
    fill(byId("trends"), h("p", { class: "empty" }, t("dashboard.no_data")));
    return;
  }
  const labels = trends.buckets.map(shortDate);
  const series = top.map((one) => ({ name: label("topic", one.topic), values: one.counts }));
  const leader = top[0];
  fill(byId("trends"),
    lineChart({
      id: "trend-chart",
      title: t("dashboard.chart_title", { period: t(`dashboard.period_${trends.period}`) }),
      summary: t("dashboard.chart_summary", { topic: label("topic", leader.topic), current: leader.current, previous: leader.previous }),
      labels,
      series,
      tableCaption: t("dashboard.chart_table"),
    }),
    h("ul", { class: "changes" }, top.map((one) => h("li", {},
      h("strong", {}, label("topic", one.topic)), ": ",
      t("dashboard.change", { current: one.current, previous: one.previous }),
      one.change_pct == null ? "" : ` (${one.change_pct > 0 ? "+" : ""}${number(one.change_pct, 0)}%)`))));
}

function drawSpikes(spikes) {
  fill(byId("spikes"), spikes.length
    ? h("ul", { class: "cases", id: "spike-list" }, spikes.map((spike) => h("li", {},
      h("p", {}, h("span", { class: "badge urgent" }, t(`dashboard.spike_${spike.kind}`)), " ",
        spike.kind === "topic" ? label("topic", spike.key)
          : h("a", { href: `/groups.html?id=${encodeURIComponent(spike.key)}` }, spike.title)),
      h("p", { class: "meta" }, t("dashboard.spike_numbers", { current: spike.current, baseline: number(spike.baseline) })))))
    : h("p", { class: "empty" }, t("dashboard.no_spikes")));
}

function drawCoverage(rows) {
  coverageTable("communes", "dashboard.col_commune", rows, (row) => ({
    name: row.commune_name, href: `/inbox.html?commune_code=${row.commune_code}`, dataset: { commune: row.commune_code },
  }));
}

/** The whole country: one row per province, each opening the dashboard of its communes. */
function drawProvinces(rows, period) {
  coverageTable("provinces", "dashboard.province", rows, (row) => ({
    name: row.province_name, href: `?${new URLSearchParams({ period, province: row.province_code })}`, dataset: { province: row.province_code },
  }));
}

function coverageTable(level, nameColumn, rows, place) {
  byId("h-communes").dataset.i18n = `dashboard.${level}`;
  byId("communes-hint").dataset.i18n = `dashboard.${level}_hint`;
  apply(byId("communes").parentElement);
  if (!rows.length) {
    fill(byId("communes"), h("p", { class: "empty" }, t("dashboard.no_data")));
    return;
  }
  const order = { red: 0, yellow: 1, green: 2 };
  rows.sort((a, b) => order[a.status] - order[b.status] || b.overdue - a.overdue);
  const head = [nameColumn, "dashboard.col_status", "dashboard.col_cases", "dashboard.col_open", "dashboard.col_overdue", "dashboard.col_answered"];
  fill(byId("communes"), h("div", { class: "table-scroll" }, h("table", { class: "data coverage", id: "coverage" },
    h("caption", { class: "visually-hidden" }, t(`dashboard.${level}`)),
    h("thead", {}, h("tr", {}, head.map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, rows.map((row) => {
      const { name, href, dataset } = place(row);
      return h("tr", { class: `cov-${row.status}`, dataset: { ...dataset, status: row.status } },
        h("th", { scope: "row" }, h("a", { href }, name)),
        h("td", {}, h("span", { class: `light light-${row.status}` }, t(`dashboard.status_${row.status}`))),
        h("td", {}, row.cases), h("td", {}, row.open_cases), h("td", {}, row.overdue), h("td", {}, percent(row.answered_share)));
    })))));
}

function drawResponse(all, byTopic) {
  const row = (key, value) => [h("dt", {}, t(key)), h("dd", {}, value)];
  const facts = all ? h("dl", { class: "facts", id: "response-facts" },
    row("dashboard.r_cases", all.cases), row("dashboard.r_answered", all.answered),
    row("dashboard.r_first", all.median_first_response_hours == null ? "—" : t("dashboard.hours", { n: number(all.median_first_response_hours) })),
    row("dashboard.r_due", percent(all.answered_within_due_share)), row("dashboard.r_reopened", percent(all.reopened_share)))
    : h("p", { class: "empty" }, t("dashboard.no_data"));
  const table = byTopic.length ? h("div", { class: "table-scroll" }, h("table", { class: "data" },
    h("caption", {}, t("dashboard.by_topic")),
    h("thead", {}, h("tr", {}, ["inbox.topic", "dashboard.r_cases", "dashboard.r_answered", "dashboard.r_first_short", "dashboard.r_due"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, byTopic.map((r) => h("tr", {}, h("th", { scope: "row" }, label("topic", r.key)), h("td", {}, r.cases), h("td", {}, r.answered),
      h("td", {}, number(r.median_first_response_hours)), h("td", {}, percent(r.answered_within_due_share))))))) : null;
  fill(byId("response"), facts, table);
}

function drawExports(range) {
  fill(byId("exports"), ["csv", "xlsx", "docx"].map((format) =>
    h("a", { class: "button", href: reportUrl(format, range), download: "", dataset: { format } }, t(`dashboard.export_${format}`))));
}
