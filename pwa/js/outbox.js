// The IndexedDB outbox: feedback and follow-ups written offline wait here and are sent when the
// connection returns (Background Sync in the service worker where available, the `online`
// event otherwise). Each item carries an idempotency key made when it was created, so however
// many times a send is retried — by a page, another tab or the service worker — the backend
// stores it once (DESIGN §4 rule 2). Shared by pages and the service worker: no DOM here.

import { ApiError, ensureCsrf, followUp, submitFeedback, submitMeeting, uploadPhoto } from "./api.js";

const DB_NAME = "tiengdan";
const STORE = "outbox";
export const SYNC_TAG = "tiengdan-outbox";
// A "sending" item this old belongs to a sender that died (tab closed mid-request); the
// idempotency key makes taking it over safe even if that request did reach the server.
const STALE_SENDING_MS = 60_000;
const MAX_BACKOFF_MS = 10 * 60_000;

const local = new EventTarget();
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(STORE) : null;
let database = null;

function open() {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return database;
}

/** Run fn(store) in one transaction; resolves with fn's value once the transaction committed. */
async function transact(mode, fn) {
  const tx = (await open()).transaction(STORE, mode);
  const holder = { value: undefined };
  fn(tx.objectStore(STORE), holder);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
  return holder.value;
}

function notify() {
  channel?.postMessage("changed");
  local.dispatchEvent(new Event("change"));
}

/** A fresh idempotency key (also the item's id); matches the API's ^[\w.:-]{8,100}$. */
export function newKey() {
  if (self.crypto?.randomUUID) return self.crypto.randomUUID();
  const bytes = self.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function put(item) {
  await transact("readwrite", (store) => store.put(item));
  notify();
  return item;
}

async function enqueue(kind, payload, extra = {}) {
  const key = newKey();
  const now = Date.now();
  const item = {
    id: key,
    kind,
    idempotency_key: key,
    payload: { ...payload, idempotency_key: key },
    photo: extra.photo ?? null,
    assisted: Boolean(extra.assisted),
    status: "waiting",
    attempts: 0,
    next_attempt_at: 0,
    error: null,
    result: null,
    created_at: now,
    updated_at: now,
  };
  await put(item);
  await requestBackgroundSync();
  return item;
}

/** Keep a feedback submission (FeedbackCreate body) and, optionally, its resized photo. */
export function enqueueFeedback(payload, { photo = null, assisted = false } = {}) {
  return enqueue("feedback", payload, { photo, assisted });
}

/** Keep a citizen's follow-up message on a case they track. */
export function enqueueMessage(code, token, text) {
  return enqueue("message", { code, token, text });
}

/** Keep a voter meeting (MeetingCreate without client_key: the item's key becomes it). */
export function enqueueMeeting(payload) {
  return enqueue("meeting", payload);
}

/** Every item, newest first. */
export async function listItems() {
  const items = await transact("readonly", (store, out) => {
    store.getAll().onsuccess = (event) => (out.value = event.target.result);
  });
  return items.sort((a, b) => b.created_at - a.created_at);
}

/** Forget an item that is no longer pending (sent or failed). */
export async function removeItem(id) {
  await transact("readwrite", (store) => {
    store.get(id).onsuccess = (event) => {
      const item = event.target.result;
      if (item && (item.status === "sent" || item.status === "failed")) store.delete(id);
    };
  });
  notify();
}

/** Try a waiting item now instead of after its back-off. */
export async function retryNow(id) {
  await transact("readwrite", (store) => {
    store.get(id).onsuccess = (event) => {
      const item = event.target.result;
      if (item && item.status === "waiting") store.put({ ...item, next_attempt_at: 0 });
    };
  });
  notify();
  return drain();
}

function isDue(item, now) {
  if (item.status === "waiting") return item.next_attempt_at <= now;
  return item.status === "sending" && now - item.updated_at > STALE_SENDING_MS;
}

/** Mark the item "sending" only if it is still due: one transaction, so one sender wins. */
async function claim(id) {
  return transact("readwrite", (store, out) => {
    store.get(id).onsuccess = (event) => {
      const item = event.target.result;
      if (!item || !isDue(item, Date.now())) return;
      out.value = { ...item, status: "sending", updated_at: Date.now() };
      store.put(out.value);
    };
  });
}

const SENDERS = {
  async feedback(item) {
    // Assisted items go out under the volunteer's session: the backend records who helped.
    if (item.assisted) await ensureCsrf();
    const { receipt } = await submitFeedback({ ...item.payload, assisted: item.assisted });
    // A retry resubmits (same key, same case) and re-uploads (same bytes, kept once).
    if (item.photo) await uploadPhoto(receipt.tracking_code, receipt.status_token, item.photo.blob);
    return { tracking_code: receipt.tracking_code, status_token: receipt.status_token };
  },
  async message(item) {
    const { code, token, text } = item.payload;
    await followUp(code, token, text, item.idempotency_key);
    return { tracking_code: code, status_token: token };
  },
  async meeting(item) {
    // Only the meeting's own fields: after a send the device copy also carries cleared contacts.
    const { held_on, place, commune_code, organizer, attendance, delegates, opinions } = item.payload;
    const meeting = { held_on, place, commune_code, organizer, attendance, delegates, opinions };
    const detail = await submitMeeting({ ...meeting, client_key: item.idempotency_key });
    return { meeting_id: detail.meeting.id, opinions: detail.opinions.length };
  },
};

/** Send one claimed item; returns "sent", "failed", "retry" or "offline". */
async function deliver(item) {
  const now = Date.now();
  try {
    const result = await SENDERS[item.kind](item);
    // Once stored by the backend, the device copy keeps no contact details or photo (shared phones).
    const payload = { ...item.payload, name: null, phone: null, email: null };
    await put({ ...item, payload, photo: null, status: "sent", result, error: null, updated_at: now });
    return "sent";
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError(-1, String(error?.message || error));
    if (!apiError.retryable) {
      await put({ ...item, status: "failed", error: apiError.detail, updated_at: now });
      return "failed";
    }
    const attempts = item.attempts + 1;
    // Offline: wait for the connection, not a timer. Server trouble: back off exponentially.
    const delay = apiError.status === 0 ? 0 : Math.min(5000 * 2 ** attempts, MAX_BACKOFF_MS);
    await put({ ...item, status: "waiting", attempts, next_attempt_at: now + delay, error: apiError.detail, updated_at: now });
    return apiError.status === 0 ? "offline" : "retry";
  }
}

/** Send every due item, oldest first; resolves with how many are still waiting. */
export async function drain() {
  const due = (await listItems()).filter((item) => isDue(item, Date.now())).reverse();
  for (const candidate of due) {
    const item = await claim(candidate.id);
    if (item && (await deliver(item)) === "offline") break;
  }
  return (await listItems()).filter((item) => item.status !== "sent" && item.status !== "failed").length;
}

/** The earliest future retry time among waiting items, or null. */
export async function nextRetryAt() {
  const times = (await listItems())
    .filter((item) => item.status === "waiting" && item.next_attempt_at > Date.now())
    .map((item) => item.next_attempt_at);
  return times.length ? Math.min(...times) : null;
}

/** Call back whenever the outbox changes, in this context or another (tab, service worker). */
export function onOutboxChange(callback) {
  local.addEventListener("change", callback);
  channel?.addEventListener("message", callback);
  return () => {
    local.removeEventListener("change", callback);
    channel?.removeEventListener("message", callback);
  };
}

/** Ask the service worker to drain when connectivity returns (Background Sync, Chromium). */
export async function requestBackgroundSync() {
  if (typeof window === "undefined" || !("serviceWorker" in navigator)) return false;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration || !("sync" in registration)) return false;
    await registration.sync.register(SYNC_TAG);
    return true;
  } catch {
    return false; // permission denied or unsupported: the `online` event path still works
  }
}
