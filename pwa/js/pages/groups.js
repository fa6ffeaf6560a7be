// Issue groups (staff): the list, one group with its member cases, merge two groups, move a case
// to another group or split it out, and one answer for every member case.

import { answerGroup, groupDetail, listGroups, mergeGroups, moveCase } from "../api.js";
import { byId, fill, h } from "../dom.js";
import { formatTime, label, t } from "../i18n.js";
import { STAFF_ROLES } from "../session.js";
import { startPage } from "../shell.js";
import { TOPICS, options, requireRole } from "../staff.js";
import { showPublication } from "../publication.js";

await startPage();
const user = await requireRole(STAFF_ROLES);
if (user) await showGroups();

async function showGroups() {
  byId("main-content").hidden = false;
  const params = new URLSearchParams(location.search);
  const state = { topic: params.get("topic") || "", open: Number(params.get("id")) || null, groups: [] };
  const say = (text) => (byId("group-line").textContent = text);
  const failed = (error) => t(error.status === 0 ? "staff.needs_network" : "case.action_failed", { reason: error.detail });

  const remember = () => {
    const query = new URLSearchParams(Object.entries({ topic: state.topic, id: state.open || "" }).filter(([, v]) => v));
    history.replaceState(null, "", `?${query}`);
  };

  const loadList = async () => {
    const status = byId("groups-status");
    status.textContent = t("inbox.loading");
    try {
      const page = await listGroups({ topic: state.topic, status: "open", page_size: 200 });
      state.groups = page.items;
      status.textContent = t("groups.count", { total: page.total });
      fill(byId("groups"), page.items.length ? page.items.map((g) => h("li", { class: "group", dataset: { id: g.id } },
        h("a", { href: `?id=${g.id}`, onclick: (event) => { event.preventDefault(); openGroup(g.id); } }, h("span", { class: "summary" }, g.title)),
        h("p", { class: "chips" },
          h("span", { class: "badge" }, t("groups.size", { n: g.size })),
          h("span", { class: `badge status-${g.status}` }, label("group_status", g.status)),
          h("span", {}, label("topic", g.topic))),
        h("p", { class: "meta" }, t("groups.seen", { first: formatTime(g.first_seen), last: formatTime(g.last_seen) }))))
        : h("li", { class: "empty" }, t("groups.none")));
    } catch (error) {
      status.textContent = failed(error);
    }
  };

  const openGroup = async (id, { focus = true } = {}) => {
    state.open = id;
    remember();
    let detail;
    try {
      detail = await groupDetail(id);
    } catch (error) {
      byId("groups-status").textContent = error.status === 404 ? t("groups.not_found") : failed(error);
      byId("group-detail").hidden = true;
      return;
    }
    const g = detail.group;
    byId("group-detail").hidden = false;
    byId("group-detail").dataset.id = g.id;
    byId("group-title").textContent = g.title;
    const row = (key, value) => [h("dt", {}, t(key)), h("dd", {}, value)];
    fill(byId("group-facts"), h("dl", { class: "facts" },
      row("track.topic", label("topic", g.topic)),
      row("groups.cases", String(g.size)),
      row("groups.citizens", String(detail.citizens)),
      row("case.channel", Object.entries(detail.channels).map(([c, n]) => `${label("channel", c)}: ${n}`).join(", ")),
      row("groups.keywords", detail.keywords.join(", ") || "—")),
    detail.quotes.length ? h("ul", { class: "quotes" }, detail.quotes.map((q) => h("li", {}, h("q", {}, q)))) : null);
    const sameTopic = state.groups.filter((other) => other.topic === g.topic && other.id !== g.id);
    fill(byId("group-cases"), detail.cases.map((c) => {
      const selectId = `move-${c.id}`;
      return h("li", { class: "case", dataset: { id: c.id } },
        h("a", { href: `/case.html?id=${c.id}` }, h("span", { class: "summary" }, c.summary)),
        h("p", { class: "meta" }, `${c.tracking_code} · ${label("status", c.status)} · ${formatTime(c.received_at)}`),
        h("form", { class: "inline move", onsubmit: (event) => move(event, c.id, selectId) },
          h("label", { for: selectId }, t("groups.move_to")),
          h("select", { id: selectId },
            h("option", { value: "" }, t("groups.split")),
            sameTopic.map((other) => h("option", { value: other.id }, `#${other.id} ${other.title}`))),
          h("button", { type: "submit" }, t("groups.move_button"))));
    }));
    fill(byId("merge-other"), sameTopic.length
      ? sameTopic.map((other) => h("option", { value: other.id }, t("groups.option", { id: other.id, title: other.title, n: other.size })))
      : h("option", { value: "" }, t("groups.no_other")));
    byId("merge-form").querySelector("button").disabled = !sameTopic.length;
    say("");
    showPublication(g.id, byId("group-publication"), say);
    if (focus) byId("group-title").focus();
  };

  const move = async (event, caseId, selectId) => {
    event.preventDefault();
    const value = byId(selectId).value;
    try {
      const target = await moveCase(caseId, value ? Number(value) : null);
      await loadList();
      await openGroup(state.open, { focus: false });
      say(t(value ? "groups.moved" : "groups.split_done", { id: target.id }));
    } catch (error) {
      say(failed(error));
    }
  };

  byId("merge-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const other = Number(byId("merge-other").value);
    if (!other || !state.open) return;
    try {
      const merged = await mergeGroups(state.open, other);
      await loadList();
      await openGroup(merged.id, { focus: false });
      say(t("groups.merged", { n: merged.size }));
    } catch (error) {
      say(failed(error));
    }
  });
  byId("answer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = byId("answer-text").value.trim();
    if (!text || !state.open) return;
    try {
      const result = await answerGroup(state.open, text);
      byId("answer-text").value = "";
      await openGroup(state.open, { focus: false });
      say(t("groups.answered", { n: result.answered_cases.length }));
    } catch (error) {
      say(failed(error));
    }
  });
  byId("group-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.topic = byId("g-topic").value;
    remember();
    loadList();
  });
  const drawSelect = () => byId("g-topic").replaceChildren(...options(TOPICS, "topic", state.topic));
  drawSelect();
  document.addEventListener("langchange", () => {
    drawSelect();
    loadList();
    if (state.open) openGroup(state.open, { focus: false });
  });
  await loadList();
  if (state.open) await openGroup(state.open, { focus: false });
}
