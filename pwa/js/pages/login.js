// Staff and volunteer login (cookie session; the CSRF token is kept in memory by api.js).

import { login } from "../api.js";
import { byId } from "../dom.js";
import { t } from "../i18n.js";
import { rememberUser } from "../session.js";
import { startPage } from "../shell.js";

await startPage();

/** Only same-site paths: never bounce a freshly logged-in user to another origin. */
function safeNext(raw) {
  return raw && raw.startsWith("/") && !raw.startsWith("//") ? raw : null;
}

byId("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = byId("login-status");
  status.textContent = t("login.working");
  try {
    const user = await login(byId("username").value.trim(), byId("password").value);
    rememberUser(user);
    const home = user.role === "volunteer" ? "/volunteer.html" : "/inbox.html";
    location.assign(safeNext(new URLSearchParams(location.search).get("next")) || home);
  } catch (error) {
    const key = error.status === 0 ? "login.offline" : error.status === 429 ? "login.too_many" : error.status === 401 ? "login.wrong" : null;
    status.textContent = key ? t(key) : t("login.error", { reason: error.detail });
  }
});
