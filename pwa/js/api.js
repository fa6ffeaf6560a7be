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

async function call(method, path, { body, headers = {}, query } = {}) {
  const url = new URL(BASE + path, self.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
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

/** The citizen's tracking page for a receipt; the token stays in the fragment (never sent in logs). */
export function trackPageUrl(code, token) {
  return `/track.html?code=${encodeURIComponent(code)}#${encodeURIComponent(token)}`;
}
