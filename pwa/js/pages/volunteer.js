// Volunteer page: record feedback on a resident's behalf (offline first) and open the guides.

import { sendNow, startAutoSend } from "../autosend.js";
import { byId } from "../dom.js";
import { feedbackForm } from "../feedback-form.js";
import { followUps } from "../follow-ups.js";
import { outboxView } from "../outbox-view.js";
import { startPage } from "../shell.js";
import { requireRole } from "../staff.js";

await startPage();
const user = await requireRole(["volunteer", "admin"], { offlineOk: true });
if (user) {
  byId("main-content").hidden = false;
  feedbackForm(byId("form-box"), {
    assisted: true,
    allowed: user.commune_codes.length ? user.commune_codes : null,
    onQueued: () => sendNow(),
  });
  outboxView(byId("outbox"), { filter: (item) => item.assisted });
  startAutoSend();
  const reminders = followUps(byId("follow-up-box"));
  addEventListener("online", () => reminders.refresh());
}
