// Voter meeting (tiếp xúc cử tri): the minutes' header and every opinion raised, entered on
// the spot, offline first. The whole meeting is one outbox item whose key becomes the
// meeting's client_key, so however often it is resent the backend stores it once.

import { sendNow, startAutoSend } from "../autosend.js";
import { communePicker } from "../commune-picker.js";
import { byId, fill, h } from "../dom.js";
import { t, tr } from "../i18n.js";
import { enqueueMeeting } from "../outbox.js";
import { outboxView } from "../outbox-view.js";
import { startPage } from "../shell.js";
import { requireRole } from "../staff.js";

function field(id, labelKey, control) {
  return h("div", { class: "field" }, tr("label", labelKey, { for: id }), control);
}

function localToday() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

function opinionRow(n) {
  const speaker = h("input", { id: `speaker-${n}`, class: "speaker", maxlength: 200 });
  const text = h("textarea", { id: `opinion-${n}`, class: "opinion", rows: 3, maxlength: 5000 });
  return h("li", { class: "opinion-row" },
    field(`speaker-${n}`, "meeting.speaker", speaker),
    field(`opinion-${n}`, "meeting.opinion", text));
}

function meetingForm(container, allowed) {
  const pickerBox = h("div", { class: "field" });
  const heldOn = h("input", { id: "held-on", type: "date", required: true, max: localToday(), value: localToday() });
  const place = h("input", { id: "place", required: true, maxlength: 300 });
  const organizer = h("input", { id: "organizer", required: true, maxlength: 300 });
  const attendance = h("input", { id: "attendance", type: "number", min: 0, max: 100000, value: 0 });
  const delegates = h("textarea", { id: "delegates", rows: 2 });
  const opinions = h("ol", { id: "opinions", class: "opinions" });
  const status = h("p", { id: "meeting-status", class: "status", role: "status" });
  let rows = 0;
  const addOpinion = () => {
    rows += 1;
    opinions.append(opinionRow(rows));
  };
  const addButton = tr("button", "meeting.add_opinion", { type: "button", id: "add-opinion" });
  addButton.addEventListener("click", addOpinion);
  const form = h("form", { id: "meeting-form", novalidate: true },
    pickerBox,
    field("held-on", "meeting.held_on", heldOn),
    field("place", "meeting.place", place),
    field("organizer", "meeting.organizer", organizer),
    field("attendance", "meeting.attendance", attendance),
    field("delegates", "meeting.delegates", delegates),
    tr("h2", "meeting.opinions"),
    tr("p", "meeting.opinions_hint", { class: "hint" }),
    opinions,
    addButton,
    tr("button", "meeting.submit", { type: "submit", class: "primary" }),
    status);
  fill(container, form);
  const picker = communePicker(pickerBox, { allowed });
  addOpinion();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = picker.validate();
    const said = [...opinions.querySelectorAll("li")]
      .map((li) => ({ speaker: li.querySelector(".speaker").value.trim() || null, text: li.querySelector(".opinion").value.trim() }))
      .filter((opinion) => opinion.text);
    const first = opinions.querySelector(".opinion");
    first.setCustomValidity(said.length ? "" : t("meeting.need_opinion"));
    if (!code || !form.reportValidity()) return;
    await enqueueMeeting({
      held_on: heldOn.value,
      place: place.value.trim(),
      commune_code: code,
      organizer: organizer.value.trim(),
      attendance: Number(attendance.value || 0),
      delegates: delegates.value.split("\n").map((name) => name.trim()).filter(Boolean),
      opinions: said,
    });
    form.reset();
    heldOn.value = localToday();
    fill(opinions);
    rows = 0;
    addOpinion();
    status.textContent = navigator.onLine ? t("form.queued_online") : t("form.queued_offline");
    sendNow();
  });
}

await startPage();
const user = await requireRole(["volunteer", "commune_staff", "province_staff", "admin"], { offlineOk: true });
if (user) {
  byId("main-content").hidden = false;
  meetingForm(byId("form-box"), user.commune_codes?.length ? user.commune_codes : null);
  outboxView(byId("outbox"), { filter: (item) => item.kind === "meeting" });
  startAutoSend();
}
