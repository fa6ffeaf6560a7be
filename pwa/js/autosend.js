// Page-side sending: drain the outbox on load, when the connection returns, and when a
// back-off expires. The service worker does the same on Background Sync; the outbox's claim
// step makes sure only one of them sends a given item.

import { drain, nextRetryAt } from "./outbox.js";

let running = null;
let again = false;
let timer = null;

async function schedule(run) {
  clearTimeout(timer);
  const at = await nextRetryAt();
  if (at) timer = setTimeout(run, Math.max(0, at - Date.now()) + 50);
}

/** Send what is due now (if online); returns the number still waiting. */
export async function sendNow() {
  if (!navigator.onLine) return null;
  if (running) {
    again = true; // an item queued during this pass is picked up by one more pass
    return running;
  }
  running = (async () => {
    let remaining;
    do {
      again = false;
      remaining = await drain();
    } while (again);
    return remaining;
  })().finally(() => (running = null));
  const remaining = await running;
  schedule(sendNow);
  return remaining;
}

/** Start sending automatically for as long as this page is open. */
export function startAutoSend() {
  window.addEventListener("online", sendNow);
  sendNow();
}
