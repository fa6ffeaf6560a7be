// Home: what the app is for, the main actions, and what this device has sent.

import { startAutoSend } from "../autosend.js";
import { byId } from "../dom.js";
import { outboxView } from "../outbox-view.js";
import { startPage } from "../shell.js";

await startPage();
outboxView(byId("outbox"), { filter: (item) => item.kind === "feedback" });
startAutoSend();
