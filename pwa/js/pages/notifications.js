// Notification settings page (staff and volunteers): Web Push on this device, with preferences.

import { byId } from "../dom.js";
import { pushSettings } from "../push-settings.js";
import { STAFF_ROLES } from "../session.js";
import { startPage } from "../shell.js";
import { requireRole } from "../staff.js";

await startPage();
const user = await requireRole([...STAFF_ROLES, "volunteer"]);
if (user) {
  byId("main-content").hidden = false;
  await pushSettings(byId("push-panel"), user);
}
