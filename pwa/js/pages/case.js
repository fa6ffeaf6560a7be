// Staff case detail: the thread with delivery states, notes, deliveries; reply, assign,
// change status, add a note.

import { addNote, assign, caseDetail, caseSuggestions, changeStatus, correctClassification, reply } from "../api.js";
import { communeIndex } from "../communes.js";
import { byId, fill, h } from "../dom.js";
import { forwardingPanel } from "../forwarding.js";
import { formatTime, label, t } from "../i18n.js";
import { STAFF_ROLES } from "../session.js";
import { startPage } from "../shell.js";
import { loadSuggestions } from "../suggestions.js";
import { KINDS, STATUSES, TOPICS, options, requireRole } from "../staff.js";

await startPage();
const me = await requireRole(STAFF_ROLES);
const caseId = Number(new URLSearchParams(location.search).get("id"));
let detail = null;
let communeNames = new Map();

function say(text) {
  byId("case-status-line").textContent = text;
}

function facts(c) {
  const row = (key, value) => [h("dt", {}, t(key)), h("dd", {}, value)];
  return h("dl", { class: "facts" },
    row("track.code", h("strong", { class: "code" }, c.tracking_code)),
    row("track.status", h("span", { class: `badge status-${c.status}`, id: "case-state", dataset: { status: c.status } }, label("status", c.status))),
    row("track.commune", communeNames.get(c.commune_code) || c.commune_code),
    row("track.topic", c.topic ? `${label("topic", c.topic)}${c.topic_confidence != null ? ` (${Math.round(c.topic_confidence * 100)}%)` : ""}` : t("track.topic_pending")),
    row("case.kind", c.kind ? label("kind", c.kind) : "—"),
    row("case.channel", label("channel", c.channel)),
    row("case.flags", [c.urgent ? t("inbox.urgent") : null, c.needs_review ? t("inbox.needs_review") : null].filter(Boolean).join(", ") || "—"),
    row("case.assignee", c.assignee_id == null ? t("case.unassigned") : c.assignee_id === me.id ? t("case.assigned_me") : `#${c.assignee_id}`),
    row("track.received", formatTime(c.received_at)),
    c.answered_at ? row("track.answered", formatTime(c.answered_at)) : null);
}

function thread(messages) {
  return h("ol", { class: "thread", id: "thread" }, messages.map((m) =>
    h("li", { class: m.direction === "out" ? "outbound" : "inbound" },
      h("p", { class: "who" },
        t(m.direction === "out" ? "case.from_staff" : "case.from_citizen"), " · ", label("channel", m.channel), " · ", formatTime(m.created_at),
        m.delivery_state ? [" · ", h("span", { class: `badge delivery-${m.delivery_state}` }, label("delivery", m.delivery_state))] : null),
      h("p", { class: "body" }, m.text))));
}

function draw() {
  const c = detail.case;
  byId("case-title").textContent = c.summary;
  fill(byId("case-facts"), facts(c));
  fill(byId("case-thread"), thread(detail.messages));
  fill(byId("case-notes"), detail.notes.length
    ? h("ul", {}, detail.notes.map((n) => h("li", {}, h("p", { class: "who" }, `#${n.author_id} · ${formatTime(n.created_at)}`), h("p", { class: "body" }, n.text))))
    : h("p", { class: "empty" }, t("case.no_notes")));
  fill(byId("case-deliveries"), detail.deliveries.length
    ? h("ul", {}, detail.deliveries.map((d) => h("li", {},
      `${label("channel", d.channel)} · `, h("span", { class: `badge delivery-${d.state}` }, label("delivery", d.state)),
      ` · ${t("case.attempts", { n: d.attempts })}`, d.sent_at ? ` · ${formatTime(d.sent_at)}` : "",
      d.last_error ? h("p", { class: d.state === "sent" ? "hint" : "error" }, d.last_error) : null)))
    : h("p", { class: "empty" }, t("case.no_deliveries")));
  byId("fix-topic").replaceChildren(...options(TOPICS, "topic", c.topic, "track.topic_pending"));
  byId("fix-kind").replaceChildren(...options(KINDS, "kind", c.kind, "case.kind_unknown"));
  byId("fix-urgent").checked = c.urgent;
  byId("new-status").replaceChildren(...STATUSES.filter((s) => s !== c.status).map((s) => h("option", { value: s }, label("status", s))));
}

async function load() {
  try {
    detail = await caseDetail(caseId);
    draw();
  } catch (error) {
    say(t(error.status === 0 ? "staff.needs_network" : error.status === 404 ? "case.not_found" : "inbox.error", { reason: error.detail }));
  }
}

/** Run an action, then reload; the backend's refusal (e.g. a status it does not allow) is shown. */
async function act(action, doneKey, form = null) {
  try {
    await action();
    form?.reset();
    say(t(doneKey));
    await load();
  } catch (error) {
    say(t(error.status === 0 ? "staff.needs_network" : "case.action_failed", { reason: error.detail }));
  }
}

function wire() {
  byId("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = byId("reply-text").value.trim();
    if (text) act(() => reply(caseId, text, byId("reply-answer").checked), "case.replied", event.target);
  });
  byId("note-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = byId("note-text").value.trim();
    if (text) act(() => addNote(caseId, text), "case.noted", event.target);
  });
  byId("classify-form").addEventListener("submit", (event) => {
    event.preventDefault();
    // Send only what changed: the backend records each change as a correction for retraining.
    const c = detail.case;
    const changes = {};
    if (byId("fix-topic").value && byId("fix-topic").value !== c.topic) changes.topic = byId("fix-topic").value;
    if (byId("fix-kind").value && byId("fix-kind").value !== c.kind) changes.kind = byId("fix-kind").value;
    if (byId("fix-urgent").checked !== c.urgent) changes.urgent = byId("fix-urgent").checked;
    if (Object.keys(changes).length) act(() => correctClassification(caseId, changes), "case.classified");
    else say(t("case.nothing_changed"));
  });
  byId("status-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => changeStatus(caseId, byId("new-status").value), "case.status_changed");
  });
  byId("assign-me").addEventListener("click", () => act(() => assign(caseId, me.id), "case.assigned"));
  byId("unassign").addEventListener("click", () => act(() => assign(caseId, null), "case.assigned"));
  byId("assign-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = Number(byId("assignee-id").value);
    if (Number.isInteger(id) && id > 0) act(() => assign(caseId, id), "case.assigned", event.target);
  });
}

if (me) {
  byId("main-content").hidden = false;
  if (!Number.isInteger(caseId) || caseId < 1) {
    say(t("case.not_found"));
  } else {
    communeIndex().then((all) => {
      communeNames = new Map(all.map((c) => [c.code, c.name]));
      if (detail) draw();
    }).catch(() => {});
    wire();
    document.addEventListener("langchange", () => detail && draw());
    await load();
    if (detail) loadSuggestions(() => caseSuggestions(caseId), byId("suggestion-list"), byId("reply-text"));
    if (detail) forwardingPanel(caseId, { say, reload: load });
  }
}
