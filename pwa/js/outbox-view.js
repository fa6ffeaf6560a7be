// The visible outbox: one line per item with its state — waiting, sending, sent (with the
// tracking code and a link) or failed (with the reason).

import { trackPageUrl } from "./api.js";
import { fill, h } from "./dom.js";
import { formatTime, label, t } from "./i18n.js";
import { listItems, onOutboxChange, removeItem, retryNow } from "./outbox.js";

function itemText(item) {
  const text = item.payload.text || item.payload.place || "";
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

function stateLine(item) {
  const badge = h("span", { class: `badge ${item.status}` }, label("outbox", item.status));
  if (item.status === "sent" && item.kind === "meeting" && item.result) {
    return h("p", { class: "state" }, badge, " ", t("outbox.meeting_saved", { count: item.result.opinions }));
  }
  if (item.status === "sent" && item.result) {
    const { tracking_code: code, status_token: token } = item.result;
    return h("p", { class: "state" }, badge, " ", t("outbox.code"), " ", h("strong", { class: "code" }, code), " ",
      h("a", { href: trackPageUrl(code, token) }, t("outbox.view")));
  }
  if (item.status === "failed") return h("p", { class: "state" }, badge, " ", t("outbox.reason", { reason: item.error }));
  if (item.status === "waiting" && item.error) {
    return h("p", { class: "state" }, badge, " ", t("outbox.will_retry", { reason: item.error }));
  }
  return h("p", { class: "state" }, badge);
}

function actions(item) {
  const buttons = [];
  if (item.status === "waiting" && item.attempts > 0) {
    buttons.push(h("button", { type: "button", onclick: () => retryNow(item.id) }, t("outbox.retry")));
  }
  if (item.status === "sent" || item.status === "failed") {
    buttons.push(h("button", { type: "button", class: "quiet", onclick: () => removeItem(item.id) }, t("outbox.remove")));
  }
  return buttons.length ? h("div", { class: "actions" }, buttons) : null;
}

function row(item, urls) {
  let thumbnail = null;
  if (item.photo?.blob) {
    const url = URL.createObjectURL(item.photo.blob);
    urls.push(url);
    thumbnail = h("img", { class: "thumb", src: url, alt: t("outbox.photo_alt"), width: 64, height: 64 });
  }
  const kind = item.kind === "meeting" ? t("outbox.kind_meeting") : item.kind === "message" ? t("outbox.kind_message") : item.assisted ? t("outbox.kind_assisted") : t("outbox.kind_feedback");
  return h("li", { class: `item ${item.status}`, dataset: { key: item.id, status: item.status } },
    thumbnail,
    h("p", { class: "text" }, itemText(item)),
    h("p", { class: "meta" }, `${kind} · ${formatTime(item.created_at)}`),
    item.photo ? h("p", { class: "hint" }, t("outbox.photo_local")) : null,
    stateLine(item),
    actions(item));
}

/** Show the outbox items that pass `filter` in `container`, kept up to date. */
export function outboxView(container, { filter = () => true, emptyKey = "outbox.empty" } = {}) {
  const list = h("ul", { class: "outbox", "aria-live": "polite" });
  const urls = [];
  fill(container, list);
  const render = async () => {
    const items = (await listItems()).filter(filter);
    urls.splice(0).forEach((url) => URL.revokeObjectURL(url));
    fill(list, items.length ? items.map((item) => row(item, urls)) : [h("li", { class: "empty" }, t(emptyKey))]);
  };
  onOutboxChange(render);
  document.addEventListener("langchange", render);
  render();
  return render;
}
