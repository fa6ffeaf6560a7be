// What the staff and volunteer pages share: who is logged in, logout, and the topic/status lists.

import { logout } from "./api.js";
import { byId, fill, h } from "./dom.js";
import { label, t } from "./i18n.js";
import { currentUser, forgetUser, goToLogin } from "./session.js";

export const STATUSES = ["new", "triaged", "in_progress", "answered", "closed", "reopened"];
export const TOPICS = [
  "land", "construction_infrastructure", "traffic", "environment", "security_order", "health",
  "education", "social_welfare", "admin_procedures", "utilities", "economy_agriculture",
  "officials_conduct", "other",
];
export const KINDS = ["feedback", "recommendation", "question", "complaint", "denunciation", "praise"];
export const CHANNELS = ["web", "zalo", "email", "messenger"];

function drawWho(user, offline) {
  const out = async () => {
    try {
      await logout();
    } finally {
      forgetUser();
      location.assign("/login.html");
    }
  };
  fill(byId("who"),
    h("span", {}, t("staff.signed_in", { name: user.full_name || user.username, role: label("role", user.role) })),
    offline ? h("span", { class: "badge waiting" }, t("staff.offline_account")) : null,
    h("button", { type: "button", class: "quiet", id: "logout", onclick: out, disabled: offline }, t("staff.logout")));
}

/**
 * The logged-in account if its role is one of `roles`; otherwise sends to login or explains.
 * `offlineOk`: accept the account saved on this device when there is no network (volunteers).
 */
export async function requireRole(roles, { offlineOk = false } = {}) {
  const { user, offline } = await currentUser();
  if (offline && !offlineOk) {
    fill(byId("gate"), h("p", { class: "notice" }, t("staff.needs_network")));
    return null;
  }
  if (!user && offline) {
    fill(byId("gate"), h("p", { class: "notice" }, t("staff.login_once")));
    return null;
  }
  if (!user) {
    goToLogin();
    return null;
  }
  if (!roles.includes(user.role)) {
    fill(byId("gate"), h("p", { class: "notice" }, t("staff.wrong_role", { role: label("role", user.role) })));
    return null;
  }
  drawWho(user, offline);
  document.addEventListener("langchange", () => drawWho(user, offline));
  return user;
}

/** <option>s for a select: "" (all) then each value with its locale label. */
export function options(values, prefix, selected, allKey = "inbox.all") {
  return [h("option", { value: "" }, t(allKey)),
    ...values.map((v) => h("option", { value: v, selected: v === selected }, t(`${prefix}.${v}`)))];
}
