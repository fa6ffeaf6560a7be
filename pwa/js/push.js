// Web Push on this device: is it possible, and subscribe with the server's VAPID key.

import { pushKey } from "./api.js";

/** The VAPID key as the bytes `applicationServerKey` wants. */
export function keyBytes(base64url) {
  const padded = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in self && "Notification" in self;
}

/** Ask for permission and return this device's push subscription (existing or new). */
export async function deviceSubscription() {
  if ((await Notification.requestPermission()) !== "granted") {
    throw Object.assign(new Error("permission denied"), { denied: true });
  }
  const registration = await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  if (existing) return existing;
  const key = await pushKey();
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
}
