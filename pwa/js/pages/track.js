// The citizen's tracking page: /track.html?code=CODE#TOKEN, or /track/CODE#TOKEN (the service
// worker serves this page for that path). Shows status and the thread, takes follow-ups
// (through the outbox, so they work offline), "not resolved", and a push when it is answered.

import { ApiError, caseStatus, rateAnswer, reopen, subscribePush, trackPageUrl } from "../api.js";
import { sendNow, startAutoSend } from "../autosend.js";
import { byId, fill, h } from "../dom.js";
import { formatTime, label, t } from "../i18n.js";
import { enqueueMessage, listItems, onOutboxChange } from "../outbox.js";
import { outboxView } from "../outbox-view.js";
import { deviceSubscription, pushSupported } from "../push.js";
import { startPage } from "../shell.js";

await startPage();

const SAVED = "tiengdan.case.";
// The token of a case this device asked to be notified about: a push opens /track/CODE only.
const PUSHED = "tiengdan.push-token.";

function fromLocation() {
  const params = new URLSearchParams(location.search);
  const match = location.pathname.match(/^\/track\/([^/]+)\/?$/);
  const code = params.get("code") || (match ? decodeURIComponent(match[1]) : "");
  const upper = code.trim().toUpperCase();
  const token = decodeURIComponent(location.hash.slice(1)).trim();
  return { code: upper, token: token || localStorage.getItem(PUSHED + upper) || "" };
}

const { code, token } = fromLocation();
const view = byId("case-view");
const note = byId("case-note");

function detailRow(key, value) {
  return [h("dt", {}, t(key)), h("dd", {}, value)];
}

let shown = null;

function render(data) {
  shown = data;
  const answered = data.status === "answered" || data.status === "closed";
  fill(view,
    h("dl", { class: "facts" },
      detailRow("track.code", h("strong", { class: "code" }, data.tracking_code)),
      detailRow("track.status", h("span", { class: `badge status-${data.status}`, id: "case-status", dataset: { status: data.status } }, label("status", data.status))),
      detailRow("track.commune", data.commune_name),
      detailRow("track.topic", data.topic ? label("topic", data.topic) : t("track.topic_pending")),
      detailRow("track.received", formatTime(data.received_at)),
      data.answered_at ? detailRow("track.answered", formatTime(data.answered_at)) : null),
    h("h2", {}, t("track.thread")),
    h("ol", { class: "thread", id: "thread" }, data.messages.map((m) =>
      h("li", { class: m.direction === "out" ? "outbound" : "inbound" },
        h("p", { class: "who" }, t(m.direction === "out" ? "track.from_office" : "track.from_you"), " · ", formatTime(m.at)),
        h("p", { class: "body" }, m.text)))));
  byId("reopen-box").hidden = !answered;
  byId("rate-box").hidden = !answered;
  byId("follow-up-box").hidden = false;
}

async function load() {
  if (!code || !token) {
    byId("lookup-box").hidden = false;
    return;
  }
  try {
    const data = await caseStatus(code, token);
    localStorage.setItem(SAVED + code, JSON.stringify({ data, at: Date.now() }));
    note.textContent = "";
    render(data);
  } catch (error) {
    const saved = JSON.parse(localStorage.getItem(SAVED + code) || "null");
    if (error instanceof ApiError && error.status === 0 && saved) {
      note.textContent = t("track.offline_saved", { time: formatTime(saved.at) });
      render(saved.data);
    } else if (error instanceof ApiError && error.status === 0) {
      note.textContent = t("track.offline_nothing");
    } else if (error instanceof ApiError && error.status === 404) {
      note.textContent = t("track.not_found");
      byId("lookup-box").hidden = false;
    } else {
      note.textContent = t("track.error", { reason: error.detail || String(error) });
    }
  }
}

function setUpLookup() {
  const form = byId("lookup-form");
  byId("lookup-code").value = code;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = byId("lookup-code").value.trim().toUpperCase();
    const secret = byId("lookup-token").value.trim();
    if (typed && secret) location.assign(trackPageUrl(typed, secret));
  });
  listItems().then((items) => {
    const mine = items.filter((i) => i.kind === "feedback" && i.status === "sent");
    fill(byId("my-cases"), mine.map((i) =>
      h("li", {}, h("a", { href: trackPageUrl(i.result.tracking_code, i.result.status_token) }, i.result.tracking_code),
        " — ", i.payload.text.slice(0, 80))));
  });
}

function setUpFollowUp() {
  const form = byId("follow-up-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = byId("follow-up-text").value.trim();
    if (!text) return;
    await enqueueMessage(code, token, text);
    form.reset();
    byId("follow-up-status").textContent = t(navigator.onLine ? "form.queued_online" : "form.queued_offline");
    sendNow();
  });
  outboxView(byId("follow-up-outbox"), {
    filter: (item) => item.kind === "message" && item.payload.code === code && item.status !== "sent",
    emptyKey: "track.no_pending",
  });
  // A follow-up that just went out shows up in the thread.
  const countSent = async () =>
    (await listItems()).filter((i) => i.kind === "message" && i.payload.code === code && i.status === "sent").length;
  let sentBefore = Infinity;
  countSent().then((n) => (sentBefore = n));
  onOutboxChange(async () => {
    const sent = await countSent();
    if (sent > sentBefore) load();
    sentBefore = sent;
  });
}

function setUpRating() {
  byId("rate-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = byId("rate-status");
    if (!navigator.onLine) {
      status.textContent = t("track.reopen_offline");
      return;
    }
    try {
      await rateAnswer(code, token, Number(byId("rate-stars").value), byId("rate-yes").checked);
      status.textContent = t("track.rated");
      await load(); // "not resolved" reopened the case: show its new status
    } catch (error) {
      status.textContent = t("track.error", { reason: error.detail || String(error) });
    }
  });
}

function setUpReopen() {
  byId("reopen-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = byId("reopen-status");
    if (!navigator.onLine) {
      status.textContent = t("track.reopen_offline");
      return;
    }
    try {
      render(await reopen(code, token, byId("reopen-reason").value.trim()));
      byId("reopen-form").reset();
      status.textContent = t("track.reopened");
    } catch (error) {
      status.textContent = t("track.error", { reason: error.detail || String(error) });
    }
  });
}

function setUpPush() {
  if (!pushSupported()) return;
  const button = byId("push-button");
  const status = byId("push-status");
  byId("push-box").hidden = false;
  if (localStorage.getItem(PUSHED + code) === token && Notification.permission === "granted") {
    status.textContent = t("track.push_on");
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const subscription = await deviceSubscription();
      await subscribePush(subscription.toJSON(), { trackingCode: code, statusToken: token });
      localStorage.setItem(PUSHED + code, token);
      status.textContent = t("track.push_on");
    } catch (error) {
      status.textContent = error.denied ? t("push.denied")
        : error.status === 0 ? t("track.push_offline")
        : error.status === 503 ? t("push.not_configured") : t("push.failed", { reason: error.detail || error.message });
    } finally {
      button.disabled = false;
    }
  });
}

setUpLookup();
if (code && token) {
  setUpFollowUp();
  setUpReopen();
  setUpRating();
  setUpPush();
}
window.addEventListener("online", load);
document.addEventListener("langchange", () => shown && render(shown));
startAutoSend();
load();
