// The case page's forwarding panel: forward to a unit with a due date, escalate to the
// province in one action, and the hand-overs with the units' answers.

import { caseForwardings, escalateCase, forwardCase } from "./api.js";
import { byId, fill, h } from "./dom.js";
import { formatTime, label, t } from "./i18n.js";

function inDays(days) {
  const when = new Date(Date.now() + days * 86_400_000);
  return new Date(when.getTime() - when.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function item(f) {
  return h("li", { class: `forwarding deadline-${f.deadline}`, dataset: { state: f.state, deadline: f.deadline } },
    h("p", {}, t("case.forward_to", { name: f.target_name, due: formatTime(f.due_at) }), " ",
      h("span", { class: `badge deadline-${f.deadline}` }, label("deadline", f.deadline))),
    f.note ? h("p", { class: "hint" }, f.note) : null,
    f.answer_text
      ? h("p", { class: "answer" }, t("case.forward_answer", { text: f.answer_text }), " · ", formatTime(f.answered_at))
      : h("p", { class: "hint" }, t("case.forward_pending")));
}

/** Wire the panel for case `caseId`; `say(text)` reports, `reload()` refreshes the case. */
export function forwardingPanel(caseId, { say, reload }) {
  const list = byId("forwarding-list");
  const refresh = async () => {
    try {
      const { items } = await caseForwardings(caseId);
      fill(list, items.length ? h("ul", {}, items.map(item)) : h("p", { class: "empty" }, t("case.no_forwardings")));
    } catch {
      fill(list);
    }
  };
  const run = async (action, doneKey, form = null) => {
    try {
      await action();
      form?.reset();
      byId("forward-due").value = inDays(3);
      say(t(doneKey));
      await refresh();
      await reload();
    } catch (error) {
      say(t(error.status === 0 ? "staff.needs_network" : "case.action_failed", { reason: error.detail }));
    }
  };
  const kind = byId("forward-kind");
  const showTarget = () => {
    byId("forward-commune-box").hidden = kind.value !== "commune";
    byId("forward-department-box").hidden = kind.value !== "department";
  };
  kind.replaceChildren(...["commune", "department", "province"].map((k) => h("option", { value: k }, label("forward_kind", k))));
  kind.addEventListener("change", showTarget);
  showTarget();
  byId("forward-due").value = inDays(3);
  byId("forward-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const target = { kind: kind.value };
    if (kind.value === "commune") target.commune_code = byId("forward-commune").value.trim();
    if (kind.value === "department") target.department_id = Number(byId("forward-department").value);
    const due = new Date(byId("forward-due").value).toISOString();
    run(() => forwardCase(caseId, target, due, byId("forward-note").value.trim()), "case.forwarded", event.target);
  });
  byId("escalate").addEventListener("click", () =>
    run(() => escalateCase(caseId, byId("forward-note").value.trim()), "case.escalated"));
  document.addEventListener("langchange", refresh);
  return refresh();
}
