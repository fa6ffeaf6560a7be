// Staff inbox: cases in the caller's scope with filters kept in the address bar.

import { listCases } from "../api.js";
import { communePicker } from "../commune-picker.js";
import { communeIndex } from "../communes.js";
import { byId, fill, h } from "../dom.js";
import { formatTime, label, t } from "../i18n.js";
import { watchCases } from "../live.js";
import { startPage } from "../shell.js";
import { STAFF_ROLES } from "../session.js";
import { CHANNELS, STATUSES, TOPICS, options, requireRole } from "../staff.js";

await startPage();
const user = await requireRole(STAFF_ROLES);
if (user) await showInbox(user);

function filtersFromUrl() {
  const p = new URLSearchParams(location.search);
  return {
    status: p.get("status") || "", topic: p.get("topic") || "", commune_code: p.get("commune_code") || "",
    channel: p.get("channel") || "", q: p.get("q") || "", needs_review: p.get("needs_review") === "true" ? "true" : "",
    urgent: p.get("urgent") === "true" ? "true" : "", page: Math.max(1, Number(p.get("page")) || 1),
  };
}

async function showInbox(me) {
  byId("main-content").hidden = false;
  const filters = filtersFromUrl();
  const drawSelects = () => {
    byId("f-status").replaceChildren(...options(STATUSES, "status", filters.status));
    byId("f-topic").replaceChildren(...options(TOPICS, "topic", filters.topic));
    byId("f-channel").replaceChildren(...options(CHANNELS, "channel", filters.channel));
  };
  drawSelects();
  byId("f-q").value = filters.q;
  byId("f-review").checked = filters.needs_review === "true";
  byId("f-urgent").checked = filters.urgent === "true";
  const allowed = me.commune_codes.length ? me.commune_codes : null;
  const picker = communePicker(byId("f-commune"), { allowed, initial: filters.commune_code || null });
  let names = new Map();
  communeIndex().then((all) => (names = new Map(all.map((c) => [c.code, c.name])))).catch(() => {});

  const changed = new Map(); // case id → "created" | "updated" | …, from live events
  const load = async ({ quiet = false } = {}) => {
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== "" && v !== null));
    history.replaceState(null, "", `?${query}`);
    const status = byId("inbox-status");
    if (!quiet) status.textContent = t("inbox.loading");
    try {
      const page = await listCases(filters);
      await communeIndex().catch(() => null);
      status.textContent = t("inbox.count", { total: page.total });
      drawList(page, names, changed);
      drawPager(page, (n) => {
        filters.page = n;
        load();
      });
    } catch (error) {
      status.textContent = t(error.status === 0 ? "staff.needs_network" : "inbox.error", { reason: error.detail });
    }
  };
  byId("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    Object.assign(filters, {
      status: byId("f-status").value, topic: byId("f-topic").value, channel: byId("f-channel").value,
      q: byId("f-q").value.trim(), commune_code: picker.code || "",
      needs_review: byId("f-review").checked ? "true" : "", urgent: byId("f-urgent").checked ? "true" : "", page: 1,
    });
    load();
  });
  document.addEventListener("langchange", () => {
    drawSelects();
    load();
  });
  await load();
  let pending = null;
  const live = byId("live-state");
  watchCases({
    onCase: (event) => {
      // A new case stays "new" when the classifier updates it a moment later.
      if (changed.get(event.case_id) !== "created" || event.change !== "updated") changed.set(event.case_id, event.change);
      clearTimeout(pending);
      pending = setTimeout(() => load({ quiet: true }), 250); // a burst of events, one reload
    },
    onResync: () => load({ quiet: true }),
    onState: (state) => {
      live.dataset.state = state;
      live.textContent = t(`live.${state}`);
    },
  });
}

function drawList(page, names, changed) {
  fill(byId("cases"), page.items.map((c) =>
    h("li", { class: changed.has(c.id) ? "case fresh" : "case", dataset: { id: c.id, live: changed.get(c.id) } },
      h("a", { href: `/case.html?id=${c.id}` }, h("span", { class: "summary" }, c.summary)),
      h("p", { class: "chips" },
        h("span", { class: `badge status-${c.status}` }, label("status", c.status)),
        changed.has(c.id) ? h("span", { class: "badge live" }, t(`live.change_${changed.get(c.id)}`)) : null,
        c.urgent ? h("span", { class: "badge urgent" }, t("inbox.urgent")) : null,
        c.needs_review ? h("span", { class: "badge review" }, t("inbox.needs_review")) : null,
        h("span", {}, c.topic ? label("topic", c.topic) : t("track.topic_pending"))),
      h("p", { class: "meta" }, `${c.tracking_code} · ${names.get(c.commune_code) || c.commune_code} · ${label("channel", c.channel)} · ${formatTime(c.received_at)}`))));
  if (!page.items.length) byId("cases").append(h("li", { class: "empty" }, t("inbox.none")));
}

function drawPager(page, go) {
  const pages = Math.max(1, Math.ceil(page.total / page.page_size));
  fill(byId("pager"),
    h("button", { type: "button", disabled: page.page <= 1, onclick: () => go(page.page - 1) }, t("inbox.prev")),
    h("span", {}, t("inbox.page", { page: page.page, pages })),
    h("button", { type: "button", disabled: page.page >= pages, onclick: () => go(page.page + 1) }, t("inbox.next")));
}
