// The one module that knows backend URLs (OpenAPI at /schema). Works in pages and in the
// service worker: it uses only fetch and URL.

const BASE = "/api/v1";

/** Reference data the service worker keeps for offline use (stale-while-revalidate). */
export const OFFLINE_API_PATHS = [`${BASE}/communes`, `${BASE}/provinces`];

// Backend paths the service worker must never answer from the app-shell cache.
const BACKEND_PREFIXES = ["/api/", "/schema", "/webhooks/", "/open311/", "/health", "/ready"];

/** True for a path served by the backend's API rather than a PWA file. */
export function isBackendPath(pathname) {
  return BACKEND_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

/** A failed call; status 0 means the network was unreachable. */
export class ApiError extends Error {
  constructor(status, detail, body = null) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.body = body;
  }

  /** Worth trying again later: offline, timeouts, rate limits, server trouble. */
  get retryable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

let csrfToken = null;

/** A readable reason from a problem-details body (RFC 9457) and its validation errors. */
function describe(body, response) {
  if (!body || typeof body !== "object") return `HTTP ${response.status}`;
  const first = Array.isArray(body.errors) ? body.errors[0] : null;
  const where = first && first.key ? ` (${first.key})` : "";
  const field = body.field ? ` (${body.field})` : "";
  return `${body.detail || body.title || `HTTP ${response.status}`}${where || field}`;
}

async function call(method, path, { body, blob, headers = {}, query } = {}) {
  const url = new URL(BASE + path, self.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  } else if (blob !== undefined) {
    init.body = blob;
    init.headers["Content-Type"] = blob.type;
  }
  // Cookie sessions must echo their CSRF token on unsafe methods (backend accounts/auth.py).
  if (csrfToken && method !== "GET") init.headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, "network unreachable");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, describe(data, response), data);
  return { status: response.status, data };
}

const statusHeaders = (token) => ({ "X-Status-Token": token });
const path = (code) => `/feedback/${encodeURIComponent(code)}`;

/** POST /feedback; the payload carries its idempotency_key, so a retry returns the same case. */
export async function submitFeedback(payload) {
  const { status, data } = await call("POST", "/feedback", { body: payload });
  return { created: status === 201, receipt: data };
}

/** POST /feedback/{code}/photos: attach a (resized) photo; the same photo is kept once. */
export async function uploadPhoto(code, token, blob) {
  return (await call("POST", `${path(code)}/photos`, { blob, headers: statusHeaders(token) })).data;
}

/** Make sure a cookie session's CSRF token is known (the service worker starts without it). */
export async function ensureCsrf() {
  if (!csrfToken) await me();
}

/** POST /feedback/{code}/rating: 1-5 stars and "resolved?"; "no" reopens the case. */
export async function rateAnswer(code, token, rating, resolved) {
  const body = { rating, resolved };
  return (await call("POST", `${path(code)}/rating`, { body, headers: statusHeaders(token) })).data;
}

/** POST /meetings: a voter meeting and its opinions; the same client_key returns the same one. */
export async function submitMeeting(payload) {
  await ensureCsrf();
  return (await call("POST", "/meetings", { body: payload })).data;
}

/** POST /cases/{id}/forward: hand the case to a unit ({kind, commune_code|department_id}). */
export async function forwardCase(id, target, dueAt, note) {
  const body = { target, due_at: dueAt, note };
  return (await call("POST", `/cases/${id}/forward`, { body })).data;
}

/** POST /cases/{id}/escalate: to the province in one action (due in 7 days). */
export async function escalateCase(id, note) {
  return (await call("POST", `/cases/${id}/escalate`, { body: { note } })).data;
}

/** GET /cases/{id}/forwardings: the case's hand-overs and the units' answers. */
export async function caseForwardings(id) {
  return (await call("GET", `/cases/${id}/forwardings`)).data;
}

/** GET /forwardings: hand-overs to our units (box=incoming), by us (outgoing) or both. */
export async function listForwardings(query) {
  return (await call("GET", "/forwardings", { query })).data;
}

/** GET /forwardings/{id}: the hand-over with its case(s) and messages. */
export async function forwardingDetail(id) {
  return (await call("GET", `/forwardings/${id}`)).data;
}

/** POST /forwardings/{id}/answer: the unit's answer (also to the citizens unless told not to). */
export async function answerForwarding(id, text, toCitizens) {
  const body = { text, reply_to_citizens: toCitizens };
  return (await call("POST", `/forwardings/${id}/answer`, { body })).data;
}

/** GET /feedback/{code}: the citizen's view of a case. */
export async function caseStatus(code, token) {
  return (await call("GET", path(code), { headers: statusHeaders(token) })).data;
}

/** POST /feedback/{code}/messages: a follow-up, idempotent on its key. */
export async function followUp(code, token, text, idempotencyKey) {
  const body = { text, idempotency_key: idempotencyKey };
  return (await call("POST", `${path(code)}/messages`, { body, headers: statusHeaders(token) })).data;
}

/** POST /feedback/{code}/reopen: "the answer did not resolve my problem". */
export async function reopen(code, token, reason) {
  const body = { reason: reason || null };
  return (await call("POST", `${path(code)}/reopen`, { body, headers: statusHeaders(token) })).data;
}

/** GET /communes: all 3,321 communes, wards and special zones. */
export async function communes() {
  return (await call("GET", "/communes")).data;
}

/** GET /provinces: the 34 provinces. */
export async function provinces() {
  return (await call("GET", "/provinces")).data;
}

/** POST /auth/login in cookie mode; keeps the CSRF token for later unsafe calls. */
export async function login(username, password) {
  const { data } = await call("POST", "/auth/login", { body: { username, password, mode: "cookie" } });
  csrfToken = data.user.csrf_token;
  return data.user;
}

/** GET /auth/me; also restores the CSRF token after a page load. */
export async function me() {
  const { data } = await call("GET", "/auth/me");
  csrfToken = data.csrf_token;
  return data;
}

/** POST /auth/logout. */
export async function logout() {
  await call("POST", "/auth/logout");
  csrfToken = null;
}

/** GET /cases with the inbox filters (status, topic, commune_code, channel, q, needs_review, urgent, page). */
export async function listCases(filters) {
  return (await call("GET", "/cases", { query: filters })).data;
}

/** GET /cases/{id}: messages, notes and deliveries. */
export async function caseDetail(id) {
  return (await call("GET", `/cases/${id}`)).data;
}

/** POST /cases/{id}/replies; `answer` marks the case answered. */
export async function reply(id, text, answer) {
  return (await call("POST", `/cases/${id}/replies`, { body: { text, answer } })).data;
}

/** PATCH /cases/{id}/assignee (null unassigns). */
export async function assign(id, assigneeId) {
  return (await call("PATCH", `/cases/${id}/assignee`, { body: { assignee_id: assigneeId } })).data;
}

/** PATCH /cases/{id}/status. */
export async function changeStatus(id, status) {
  return (await call("PATCH", `/cases/${id}/status`, { body: { status } })).data;
}

/** PATCH /cases/{id}/classification: a staff correction of topic, kind or urgency (used for retraining). */
export async function correctClassification(id, changes) {
  return (await call("PATCH", `/cases/${id}/classification`, { body: changes })).data;
}

/** POST /cases/{id}/notes: internal, never shown to the citizen. */
export async function addNote(id, text) {
  return (await call("POST", `/cases/${id}/notes`, { body: { text } })).data;
}

/** GET /public/answers?commune=CODE: the commune's published questions and answers (no login). */
export async function publicAnswers(commune) {
  const items = [];
  let page = 1;
  for (;;) {
    const { data } = await call("GET", "/public/answers", { query: { commune, page, page_size: 100 } });
    items.push(...data.items);
    if (items.length >= data.total || !data.items.length || page >= 20) return { ...data, items };
    page += 1;
  }
}

/** GET /cases/{id}/suggestions: guides, past answers and canned texts to insert and edit. */
export async function caseSuggestions(id) {
  return (await call("GET", `/cases/${id}/suggestions`)).data;
}

/** The citizen's tracking page for a receipt; the token stays in the fragment (never sent in logs). */
export function trackPageUrl(code, token) {
  return `/track.html?code=${encodeURIComponent(code)}#${encodeURIComponent(token)}`;
}

/** GET /groups: issue groups in scope, largest first. */
export async function listGroups(filters) {
  return (await call("GET", "/groups", { query: filters })).data;
}

/** GET /groups/{id}: member cases, channels, keywords and redacted quotes. */
export async function groupDetail(id) {
  return (await call("GET", `/groups/${id}`)).data;
}

/** POST /groups/{id}/merge: fold another group of the same topic into this one. */
export async function mergeGroups(id, otherId) {
  return (await call("POST", `/groups/${id}/merge`, { body: { other_group_id: otherId } })).data;
}

/** POST /cases/{id}/group: move a case to another group, or split it out (null). */
export async function moveCase(caseId, groupId) {
  return (await call("POST", `/cases/${caseId}/group`, { body: { group_id: groupId } })).data;
}

/** GET /groups/{id}/publication: the redacted question and answer to review before publishing. */
export async function publicationDraft(id) {
  return (await call("GET", `/groups/${id}/publication`)).data;
}

/** POST /groups/{id}/publication/publish: publish the reviewed texts (redacted again). */
export async function publishGroup(id, question, answer) {
  return (await call("POST", `/groups/${id}/publication/publish`, { body: { question, answer } })).data;
}

/** POST /groups/{id}/publication/unpublish: take it off the public page. */
export async function unpublishGroup(id) {
  return (await call("POST", `/groups/${id}/publication/unpublish`)).data;
}

/** POST /groups/{id}/answer: one answer delivered to every member case. */
export async function answerGroup(id, text) {
  return (await call("POST", `/groups/${id}/answer`, { body: { text } })).data;
}

/** GET /stats/{name}: trends, communes, spikes, response or coverage. */
export async function stats(name, query) {
  return (await call("GET", `/stats/${name}`, { query })).data;
}

/** The synthesis report as a file to download (csv, xlsx, docx). */
export function reportUrl(format, query = {}) {
  const url = new URL(`${BASE}/reports/synthesis`, self.location.origin);
  for (const [name, value] of Object.entries({ ...query, format })) {
    if (value) url.searchParams.set(name, String(value));
  }
  return url.pathname + url.search;
}

/** Server-sent case events for the logged-in staff member (GET /events). */
export const EVENTS_URL = `${BASE}/events`;

/** GET /campaigns. */
export async function listCampaigns() {
  return (await call("GET", "/campaigns")).data;
}

/** POST /campaigns: a draft (send_at null) or a scheduled campaign. */
export async function createCampaign(body) {
  return (await call("POST", "/campaigns", { body })).data;
}

/** POST /campaigns/{id}/preview: recipient count and the notification as it will look. */
export async function previewCampaign(id) {
  return (await call("POST", `/campaigns/${id}/preview`)).data;
}

/** POST /campaigns/{id}/send: now, or at its send_at. */
export async function sendCampaign(id) {
  return (await call("POST", `/campaigns/${id}/send`)).data;
}

/** POST /campaigns/{id}/cancel. */
export async function cancelCampaign(id) {
  return (await call("POST", `/campaigns/${id}/cancel`)).data;
}

/** GET /follow-ups: the caller's own reminders. */
export async function listFollowUps() {
  return (await call("GET", "/follow-ups")).data;
}

/** POST /follow-ups {note, due_at, tracking_code}. */
export async function addFollowUp(body) {
  return (await call("POST", "/follow-ups", { body })).data;
}

/** POST /follow-ups/{id}/done. */
export async function followUpDone(id) {
  return (await call("POST", `/follow-ups/${id}/done`)).data;
}

/** DELETE /follow-ups/{id}. */
export async function deleteFollowUp(id) {
  await call("DELETE", `/follow-ups/${id}`);
}

/** GET /push/key: the server's VAPID public key (503 when push is not configured). */
export async function pushKey() {
  return (await call("GET", "/push/key")).data.public_key;
}

/** POST /push/subscriptions: this device's subscription with commune/topic preferences. */
export async function subscribePush(subscription, { communes = null, topics = null, trackingCode = null, statusToken = null } = {}) {
  const body = { subscription, communes, topics, tracking_code: trackingCode, status_token: statusToken };
  return (await call("POST", "/push/subscriptions", { body })).data;
}

/** DELETE /push/subscriptions. */
export async function unsubscribePush(endpoint) {
  await call("DELETE", "/push/subscriptions", { body: { endpoint } });
}
