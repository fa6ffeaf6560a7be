// Live case events for staff pages: one EventSource on EVENTS_URL. The browser reconnects by
// itself (the server ends each stream after a while and asks for a 3 s retry); every "ready"
// after the first one means events may have been missed, so the page reloads its list.

import { EVENTS_URL } from "./api.js";

/**
 * Follow case changes. `onCase(event)` gets {case_id, tracking_code, commune_code, status, change};
 * `onResync()` runs when the stream (re)connects after a gap; `onState("live"|"waiting")`.
 * Returns a function that stops listening.
 */
export function watchCases({ onCase, onResync = () => {}, onState = () => {} }) {
  if (!("EventSource" in self)) return () => {};
  const source = new EventSource(EVENTS_URL, { withCredentials: true });
  let connectedBefore = false;
  source.addEventListener("ready", () => {
    onState("live");
    if (connectedBefore) onResync();
    connectedBefore = true;
  });
  source.addEventListener("case", (message) => {
    try {
      onCase(JSON.parse(message.data));
    } catch (error) {
      console.warn("unreadable case event", error);
    }
  });
  source.addEventListener("error", () => {
    onState("waiting");
    // 401/403 close the stream for good (logged out): nothing to wait for.
    if (source.readyState === EventSource.CLOSED) onState("off");
  });
  const stop = () => source.close();
  addEventListener("pagehide", stop, { once: true });
  return stop;
}
