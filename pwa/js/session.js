// Who is logged in. The session itself is an HttpOnly cookie; this module keeps a copy of the
// account (never the CSRF token) so volunteer pages still open offline.

import { me } from "./api.js";

const KEY = "tiengdan.me";
export const STAFF_ROLES = ["admin", "province_staff", "commune_staff"];

/** Keep the account (without its CSRF token) for offline use and the header links. */
export function rememberUser(user) {
  const { id, username, full_name, role, province_code, commune_codes } = user;
  localStorage.setItem(KEY, JSON.stringify({ id, username, full_name, role, province_code, commune_codes }));
}

/** The account last seen on this device, or null. */
export function cachedUser() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

/** Forget the account (after logout or an expired session). */
export function forgetUser() {
  localStorage.removeItem(KEY);
}

/** The logged-in account: {user, offline}; user is null when nobody is logged in. */
export async function currentUser() {
  try {
    const user = await me();
    rememberUser(user);
    return { user, offline: false };
  } catch (error) {
    if (error.status === 0) return { user: cachedUser(), offline: true };
    if (error.status === 401) forgetUser();
    return { user: null, offline: false };
  }
}

/** Send the visitor to the login page, coming back here afterwards. */
export function goToLogin() {
  location.assign(`/login.html?next=${encodeURIComponent(location.pathname + location.search)}`);
}
