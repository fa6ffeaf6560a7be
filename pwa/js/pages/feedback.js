// Citizen feedback page: form → outbox → receipt with the tracking code.

import { sendNow, startAutoSend } from "../autosend.js";
import { trackPageUrl } from "../api.js";
import { byId, fill, h } from "../dom.js";
import { feedbackForm } from "../feedback-form.js";
import { t } from "../i18n.js";
import { listItems, onOutboxChange } from "../outbox.js";
import { outboxView } from "../outbox-view.js";
import { startPage } from "../shell.js";

await startPage();

const receipt = byId("receipt");
let latestId = null;

async function showReceipt() {
  if (!latestId) return;
  const item = (await listItems()).find((i) => i.id === latestId);
  if (!item) return fill(receipt);
  if (item.status === "sent") {
    const { tracking_code: code, status_token: token } = item.result;
    const heading = h("h2", { tabindex: "-1" }, t("receipt.sent_title"));
    fill(receipt,
      heading,
      h("p", {}, t("receipt.code"), " ", h("strong", { class: "code", id: "receipt-code" }, code)),
      h("p", {}, h("a", { id: "receipt-link", class: "button", href: trackPageUrl(code, token) }, t("receipt.track_link"))),
      h("p", { class: "hint" }, t("receipt.keep_link")));
    receipt.className = "receipt sent";
    heading.focus();
  } else if (item.status === "failed") {
    fill(receipt, h("h2", {}, t("receipt.failed_title")), h("p", {}, t("outbox.reason", { reason: item.error })));
    receipt.className = "receipt failed";
  } else {
    fill(receipt, h("h2", {}, t("receipt.waiting_title")), h("p", {}, t(navigator.onLine ? "receipt.sending" : "receipt.offline")));
    receipt.className = "receipt waiting";
  }
}

const commune = new URLSearchParams(location.search).get("commune");
feedbackForm(byId("form-box"), {
  initialCommune: /^\d{5}$/.test(commune || "") ? commune : null,
  onQueued(item) {
    latestId = item.id;
    showReceipt();
    sendNow();
  },
});
outboxView(byId("outbox"), { filter: (item) => item.kind === "feedback" && !item.assisted });
onOutboxChange(showReceipt);
document.addEventListener("langchange", showReceipt);
startAutoSend();
