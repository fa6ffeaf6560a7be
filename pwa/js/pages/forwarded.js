// "Forwarded to us": cases and issue groups other units handed to ours, with their deadlines;
// read the citizen's messages and answer. The answer returns to the forwarding staff and, unless
// unticked, goes to the citizens as the case's reply.

import { answerForwarding, forwardingDetail, listForwardings } from "../api.js";
import { byId, fill, h } from "../dom.js";
import { formatTime, label, t } from "../i18n.js";
import { STAFF_ROLES } from "../session.js";
import { startPage } from "../shell.js";
import { requireRole } from "../staff.js";

await startPage();
const me = await requireRole(STAFF_ROLES);

function say(text) {
  byId("forwarded-status").textContent = text;
}

function answerForm(f) {
  const text = h("textarea", { id: `answer-${f.id}`, rows: 4, maxlength: 5000, required: true });
  const toCitizens = h("input", { type: "checkbox", id: `to-citizens-${f.id}`, checked: true });
  const form = h("form", { class: "answer-form" },
    h("div", { class: "field" }, h("label", { for: `answer-${f.id}` }, t("forwarded.answer_label")), text),
    h("div", { class: "check" }, toCitizens, h("label", { for: `to-citizens-${f.id}` }, t("forwarded.to_citizens"))),
    h("button", { type: "submit", class: "primary" }, t("forwarded.answer_button")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    try {
      await answerForwarding(f.id, text.value.trim(), toCitizens.checked);
      say(t("forwarded.answered"));
      await draw();
    } catch (error) {
      say(t(error.status === 0 ? "staff.needs_network" : "case.action_failed", { reason: error.detail }));
    }
  });
  return form;
}

async function open(f, box) {
  try {
    const detail = await forwardingDetail(f.id);
    fill(box,
      h("ul", { class: "cases" }, detail.cases.map((c) => h("li", {}, h("strong", { class: "code" }, c.tracking_code), " ", c.summary))),
      detail.messages.length
        ? h("ol", { class: "thread" }, detail.messages.map((m) =>
          h("li", { class: m.direction === "out" ? "outbound" : "inbound" },
            h("p", { class: "who" }, t(m.direction === "out" ? "case.from_staff" : "case.from_citizen"), " · ", formatTime(m.created_at)),
            h("p", { class: "body" }, m.text))))
        : null,
      f.state === "open" ? answerForm(f) : h("p", { class: "answer" }, t("case.forward_answer", { text: f.answer_text })));
  } catch (error) {
    say(t("case.action_failed", { reason: error.detail }));
  }
}

function card(f) {
  const box = h("div", { class: "forwarding-detail" });
  const what = f.case_id ? t("forwarded.case", { id: f.case_id }) : t("forwarded.group", { id: f.group_id });
  const show = h("button", { type: "button", class: "quiet" }, t("forwarded.open"));
  show.addEventListener("click", () => open(f, box));
  return h("li", { class: `forwarding deadline-${f.deadline}`, dataset: { id: String(f.id), deadline: f.deadline, state: f.state } },
    h("p", {}, h("strong", {}, what), " · ", t("forwarded.due", { due: formatTime(f.due_at) }), " ",
      h("span", { class: `badge deadline-${f.deadline}` }, label("deadline", f.deadline)),
      f.escalation ? [" ", h("span", { class: "badge" }, t("forwarded.escalation"))] : null),
    f.note ? h("p", { class: "hint" }, f.note) : null,
    show,
    box);
}

async function draw() {
  try {
    const { items } = await listForwardings({ box: "incoming", state: byId("show-answered").checked ? null : "open" });
    fill(byId("forwarded"), items.length ? items.map(card) : h("li", { class: "empty" }, t("forwarded.none")));
  } catch (error) {
    say(t(error.status === 0 ? "staff.needs_network" : "inbox.error", { reason: error.detail }));
  }
}

if (me) {
  byId("main-content").hidden = false;
  byId("show-answered").addEventListener("change", draw);
  document.addEventListener("langchange", draw);
  await draw();
}
