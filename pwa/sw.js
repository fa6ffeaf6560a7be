// Service worker (an ES module: it shares api.js and outbox.js with the pages).
// App shell: precached in a versioned cache, served cache-first; caches of older versions are
// dropped on activate. Reference data (communes, provinces): stale-while-revalidate.
// Outbox: drained on Background Sync. VERSION and SHELL are written by pwa/tools/stamp.py.

import { OFFLINE_API_PATHS, isBackendPath } from "/js/api.js";
import { SYNC_TAG, drain } from "/js/outbox.js";

// <stamp>
const VERSION = "928edbfc18f7";
const SHELL = [
  "/",
  "/answers.html",
  "/campaigns.html",
  "/case.html",
  "/css/app.css",
  "/css/poster.css",
  "/dashboard.html",
  "/feedback.html",
  "/forwarded.html",
  "/groups.html",
  "/guide.html",
  "/guides.html",
  "/guides/avoid-scams.json",
  "/guides/bhyt-renewal.json",
  "/guides/dichvucong-dossier.json",
  "/guides/index.json",
  "/guides/online-fee-payment.json",
  "/guides/vneid-level2.json",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/maskable-192.png",
  "/icons/maskable-512.png",
  "/inbox.html",
  "/index.html",
  "/js/api.js",
  "/js/autosend.js",
  "/js/chart.js",
  "/js/commune-picker.js",
  "/js/communes.js",
  "/js/dom.js",
  "/js/feedback-form.js",
  "/js/fold.js",
  "/js/follow-ups.js",
  "/js/forwarding.js",
  "/js/guides.js",
  "/js/i18n.js",
  "/js/live.js",
  "/js/outbox-view.js",
  "/js/outbox.js",
  "/js/pages/answers.js",
  "/js/pages/campaigns.js",
  "/js/pages/case.js",
  "/js/pages/dashboard.js",
  "/js/pages/feedback.js",
  "/js/pages/forwarded.js",
  "/js/pages/groups.js",
  "/js/pages/guide.js",
  "/js/pages/guides.js",
  "/js/pages/home.js",
  "/js/pages/inbox.js",
  "/js/pages/login.js",
  "/js/pages/meeting.js",
  "/js/pages/notifications.js",
  "/js/pages/track.js",
  "/js/pages/volunteer.js",
  "/js/photo.js",
  "/js/publication.js",
  "/js/push-settings.js",
  "/js/push.js",
  "/js/session.js",
  "/js/shell.js",
  "/js/staff.js",
  "/js/suggestions.js",
  "/locales/en.json",
  "/locales/vi.json",
  "/login.html",
  "/manifest.webmanifest",
  "/meeting.html",
  "/notifications.html",
  "/track.html",
  "/volunteer.html",
];
// </stamp>

const SHELL_CACHE = `tiengdan-shell-${VERSION}`;
const DATA_CACHE = "tiengdan-data-v1";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL_CACHE);
    // cache: "reload" skips the HTTP cache so a new version never precaches stale files.
    await shell.addAll(SHELL.map((url) => new Request(url, { cache: "reload" })));
    const data = await caches.open(DATA_CACHE);
    await data.addAll(OFFLINE_API_PATHS).catch(() => {}); // refreshed on first use anyway
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("tiengdan-shell-") && name !== SHELL_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

/** The shell file that answers a navigation: "/" → index, /track/CODE → the tracking page. */
function shellPageFor(pathname) {
  if (pathname === "/") return "/index.html";
  if (/^\/track\/[^/]+\/?$/.test(pathname)) return "/track.html";
  return pathname;
}

async function fromShell(request, pathname) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(pathname, { ignoreSearch: true });
  if (hit) return hit;
  try {
    return await fetch(request);
  } catch (error) {
    if (request.mode === "navigate") return (await cache.match("/index.html")) || Response.error();
    throw error;
  }
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(DATA_CACHE);
  const cached = await cache.match(event.request, { ignoreSearch: true });
  const refresh = fetch(event.request).then((response) => {
    if (response.ok) cache.put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => {}));
    return cached;
  }
  return refresh;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (OFFLINE_API_PATHS.includes(url.pathname) && !url.search) {
    event.respondWith(staleWhileRevalidate(event));
    return;
  }
  // Case data and the API stay network-only: nothing private sits in a shared cache.
  if (isBackendPath(url.pathname)) return;
  const pathname = event.request.mode === "navigate" ? shellPageFor(url.pathname) : url.pathname;
  event.respondWith(fromShell(event.request, pathname));
});

self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  // Rejecting asks the browser to retry this sync later, with its own back-off.
  event.waitUntil(drain().then((waiting) => {
    if (waiting > 0) throw new Error(`${waiting} outbox item(s) still waiting`);
  }));
});

/** A URL of this site for a notification's click (never another origin). */
function siteUrl(url) {
  try {
    const target = new URL(url || "/", self.location.origin);
    return target.origin === self.location.origin ? target.href : `${self.location.origin}/`;
  } catch {
    return `${self.location.origin}/`;
  }
}

// Web Push: the payload is a short notice {title, body, url, tag} (channels.webpush.PushNotice).
self.addEventListener("push", (event) => {
  let notice = {};
  try {
    notice = event.data ? event.data.json() : {};
  } catch {
    notice = { body: event.data ? event.data.text() : "" };
  }
  const options = { body: notice.body || "", icon: "/icons/icon-192.png", data: { url: siteUrl(notice.url) } };
  if (notice.tag) options.tag = notice.tag; // a newer notice about the same thing replaces it
  event.waitUntil(self.registration.showNotification(notice.title || "Tiếng Dân", options));
});

/** Focus a window already on `url` (ignoring its #token), else open one. */
async function openNotificationUrl(url, clients = self.clients) {
  const target = siteUrl(url);
  const windows = await clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => client.url.split("#")[0] === target.split("#")[0]);
  if (open) return open.focus();
  return clients.openWindow(target);
}
// The click handler's logic, callable with another `clients` (a browser test cannot click a
// system notification, and only a real click may open or focus a window).
self.openNotificationUrl = openNotificationUrl;

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openNotificationUrl(event.notification.data && event.notification.data.url));
});

self.addEventListener("message", (event) => {
  if (event.data === "drain") event.waitUntil(drain());
});
