// What every page shares: locale text, the header with language switch, the offline notice,
// and the service worker registration.

import { byId, fill, h } from "./dom.js";
import { initI18n, language, setLanguage, t } from "./i18n.js";
import { STAFF_ROLES, cachedUser } from "./session.js";

function navLinks() {
  const user = cachedUser();
  const staff = user && STAFF_ROLES.includes(user.role);
  const links = staff
    ? [
      ["/inbox.html", "nav.inbox"],
      ["/groups.html", "nav.groups"],
      ["/dashboard.html", "nav.dashboard"],
      ["/forwarded.html", "nav.forwarded"],
      ["/meeting.html", "nav.meeting"],
      ["/campaigns.html", "nav.campaigns"],
      ["/notifications.html", "nav.notifications"],
      ["/feedback.html", "nav.feedback"],
      ["/guides.html", "nav.guides"],
    ]
    : [
      ["/feedback.html", "nav.feedback"],
      ["/track.html", "nav.track"],
      ["/answers.html", "nav.answers"],
      ["/guides.html", "nav.guides"],
    ];
  if (user?.role === "volunteer") {
    links.push(["/volunteer.html", "nav.volunteer"], ["/meeting.html", "nav.meeting"], ["/notifications.html", "nav.notifications"]);
  }
  else if (!staff) links.push(["/login.html", "nav.login"]);
  const here = location.pathname;
  return links.map(([href, key]) =>
    h("a", { href, "aria-current": here === href ? "page" : null }, t(key)),
  );
}

function renderHeader() {
  const other = language() === "vi" ? "en" : "vi";
  const switcher = h(
    "button",
    { type: "button", class: "lang", lang: other, id: "lang-switch", onclick: () => setLanguage(other) },
    other === "en" ? "English" : "Tiếng Việt",
  );
  fill(
    byId("top"),
    h("a", { class: "skip", href: "#main" }, t("nav.skip")),
    h("div", { class: "bar" },
      h("a", { class: "brand", href: "/" },
        h("img", { src: "/icons/icon-192.png", alt: "", width: 32, height: 32 }), t("app.name")),
      switcher),
    h("nav", { "aria-label": t("nav.label") }, navLinks()),
    h("p", { id: "offline-notice", class: "offline", role: "status", hidden: navigator.onLine }, t("offline.notice")),
  );
}

function watchConnectivity() {
  const update = () => {
    const offline = !navigator.onLine;
    document.body.classList.toggle("is-offline", offline);
    const notice = document.getElementById("offline-notice");
    if (notice) notice.hidden = !offline;
  };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
}

/** A new version took over this page (skipWaiting + clients.claim): offer a reload. */
function offerReloadOnUpdate() {
  if (!navigator.serviceWorker.controller) return; // first install: nothing old is running
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (document.getElementById("update-notice")) return;
    byId("top").append(h("p", { id: "update-notice", class: "offline", role: "status" },
      t("update.ready"), " ", h("button", { type: "button", onclick: () => location.reload() }, t("update.reload"))));
  });
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  offerReloadOnUpdate();
  try {
    // A module worker shares api.js and outbox.js with the pages (Chrome 91, Safari 15, Firefox 147).
    await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" });
  } catch (error) {
    console.warn("service worker not registered; the app works online only", error);
  }
}

/** Translate the page, draw the header, show the offline notice, register the service worker. */
export async function startPage() {
  await initI18n();
  renderHeader();
  watchConnectivity();
  document.addEventListener("langchange", () => {
    renderHeader();
    watchConnectivity();
  });
  registerServiceWorker();
}
