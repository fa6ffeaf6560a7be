// "My follow-ups": reminders a volunteer (or staff member) sets for themselves, e.g. "check this
// resident's dossier in 3 days"; the server pushes them when due. Online only.

import { addFollowUp, deleteFollowUp, followUpDone, listFollowUps } from "./api.js";
import { fill, h } from "./dom.js";
import { formatTime, label, t } from "./i18n.js";

const DAY = 86400000;

/** Render the form and the list into `container`. */
export function followUps(container) {
  const note = h("textarea", { id: "fu-note", rows: 2, maxlength: 500, required: true, "aria-describedby": "fu-note-hint" });
  const days = h("input", { id: "fu-days", type: "number", min: 0, max: 365, value: 3, inputmode: "numeric", required: true });
  const code = h("input", { id: "fu-code", maxlength: 16, autocomplete: "off", "aria-describedby": "fu-code-hint" });
  const status = h("p", { id: "fu-status", class: "status", role: "status" });
  const list = h("ul", { id: "fu-list", class: "cases" });
  const form = h("form", { id: "fu-form" },
    h("div", { class: "field" }, h("label", { for: "fu-note" }, t("followups.note")),
      h("p", { class: "hint", id: "fu-note-hint" }, t("followups.note_hint")), note),
    h("div", { class: "inline" }, h("label", { for: "fu-days" }, t("followups.in_days")), days),
    h("div", { class: "field" }, h("label", { for: "fu-code" }, t("followups.code")),
      h("p", { class: "hint", id: "fu-code-hint" }, t("followups.code_hint")), code),
    h("button", { type: "submit", class: "primary" }, t("followups.add")));
  fill(container, form, status, list);
  const failed = (error) => t(error.status === 0 ? "followups.offline" : "case.action_failed", { reason: error.detail });

  const draw = async () => {
    try {
      const { items } = await listFollowUps();
      items.sort((a, b) => (a.state === "done") - (b.state === "done") || new Date(a.due_at) - new Date(b.due_at));
      fill(list, items.length ? items.map((item) => h("li", { class: `follow-up ${item.state}`, dataset: { id: item.id, state: item.state } },
        h("p", { class: "body" }, item.note),
        h("p", { class: "chips" }, h("span", { class: `badge followup-${item.state}` }, label("followup_state", item.state)),
          h("span", { class: "meta" }, t("followups.due", { time: formatTime(item.due_at) })),
          item.tracking_code ? h("a", { class: "code", href: `/track.html?code=${encodeURIComponent(item.tracking_code)}` }, item.tracking_code) : null),
        h("p", { class: "actions" },
          item.state !== "done" ? h("button", { type: "button", onclick: () => act(() => followUpDone(item.id), "followups.marked") }, t("followups.done")) : null,
          h("button", { type: "button", class: "quiet", onclick: () => act(() => deleteFollowUp(item.id), "followups.deleted") }, t("followups.delete")))))
        : h("li", { class: "empty" }, t("followups.none")));
    } catch (error) {
      fill(list, h("li", { class: "empty" }, failed(error)));
    }
  };
  const act = async (work, key) => {
    try {
      await work();
      status.textContent = t(key);
    } catch (error) {
      status.textContent = failed(error);
    }
    await draw();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = note.value.trim();
    if (!text) {
      note.setCustomValidity(t("followups.need_note"));
      note.reportValidity();
      note.setCustomValidity("");
      return;
    }
    const dueAt = new Date(Date.now() + Math.max(0, Number(days.value) || 0) * DAY).toISOString();
    act(async () => {
      await addFollowUp({ note: text, due_at: dueAt, tracking_code: code.value.trim().toUpperCase() || null });
      note.value = "";
      code.value = "";
    }, "followups.added");
  });
  draw();
  return { refresh: draw };
}
