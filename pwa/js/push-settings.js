// Notification settings for staff and volunteers: subscribe this device to Web Push with
// commune/topic preferences, change them, or unsubscribe (GET /push/key, /push/subscriptions).

import { pushKey, subscribePush, unsubscribePush } from "./api.js";
import { communeIndex } from "./communes.js";
import { fill, h } from "./dom.js";
import { label, t } from "./i18n.js";
import { keyBytes, pushSupported } from "./push.js";
import { TOPICS } from "./staff.js";

const PREFS_KEY = "tiengdan.push-prefs";

function savedPrefs() {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY) || "null") || { communes: [], topics: [] };
  } catch {
    return { communes: [], topics: [] };
  }
}

/** Render the panel for `user` into `container`. */
export async function pushSettings(container, user) {
  if (!pushSupported()) {
    fill(container, h("p", { class: "notice" }, t("push.unsupported")));
    return;
  }
  const names = new Map((await communeIndex().catch(() => [])).map((c) => [c.code, c.name]));
  const status = h("p", { id: "push-status", class: "status", role: "status" });
  const prefs = savedPrefs();
  const box = (name, value, text, on) => {
    const id = `push-${name}-${value}`;
    return h("div", { class: "check" }, h("input", { type: "checkbox", id, name: `push-${name}`, value, checked: on }), h("label", { for: id }, text));
  };
  const communes = user.commune_codes.length ? h("fieldset", {}, h("legend", {}, t("push.communes")),
    h("p", { class: "hint" }, t("push.communes_hint")),
    user.commune_codes.map((code) => box("commune", code, names.get(code) || code, prefs.communes.includes(code)))) : null;
  const topics = h("details", {}, h("summary", {}, t("push.topics")), h("p", { class: "hint" }, t("push.topics_hint")),
    TOPICS.map((topic) => box("topic", topic, label("topic", topic), prefs.topics.includes(topic))));
  const on = h("button", { type: "button", class: "primary", id: "push-on" }, t("push.subscribe"));
  const save = h("button", { type: "button", id: "push-save" }, t("push.save"));
  const off = h("button", { type: "button", id: "push-off" }, t("push.unsubscribe"));
  fill(container, h("form", { id: "push-form", onsubmit: (e) => e.preventDefault() }, communes, topics,
    h("p", { class: "actions" }, on, save, off)), status);

  const registration = await navigator.serviceWorker.ready;
  const chosen = (name) => [...container.querySelectorAll(`input[name=push-${name}]:checked`)].map((b) => b.value);
  const refresh = async () => {
    const subscription = await registration.pushManager.getSubscription();
    on.hidden = Boolean(subscription);
    save.hidden = off.hidden = !subscription;
    if (Notification.permission === "denied") status.textContent = t("push.denied");
    else status.textContent = t(subscription ? "push.on" : "push.off");
    container.dataset.subscribed = String(Boolean(subscription));
  };
  const send = async (subscription) => {
    const body = { communes: chosen("commune"), topics: chosen("topic") };
    const stored = await subscribePush(subscription.toJSON(), {
      communes: body.communes.length ? body.communes : null,
      topics: body.topics.length ? body.topics : null,
    });
    localStorage.setItem(PREFS_KEY, JSON.stringify(body));
    return stored;
  };
  const run = (work) => async () => {
    try {
      await work();
    } catch (error) {
      status.textContent = error.status === 0 ? t("staff.needs_network")
        : error.status === 503 ? t("push.not_configured") : t("push.failed", { reason: error.detail || error.message });
      return;
    }
    await refresh();
  };
  on.addEventListener("click", run(async () => {
    if ((await Notification.requestPermission()) !== "granted") throw new Error(t("push.denied"));
    const key = await pushKey();
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
    await send(subscription);
  }));
  save.addEventListener("click", run(async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) await send(subscription);
    status.textContent = t("push.saved");
  }));
  off.addEventListener("click", run(async () => {
    const subscription = await registration.pushManager.getSubscription();
    if (!subscription) return;
    await unsubscribePush(subscription.endpoint);
    await subscription.unsubscribe();
  }));
  await refresh();
}
