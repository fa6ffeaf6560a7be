// One guide, rendered as a checklist.

import { byId, fill, h } from "../dom.js";
import { renderGuide } from "../guides.js";
import { t } from "../i18n.js";
import { startPage } from "../shell.js";

await startPage();

const id = new URLSearchParams(location.search).get("id") || "";
const box = byId("guide");
let guide = null;

if (/^[a-z0-9-]+$/.test(id)) {
  const response = await fetch(`/guides/${id}.json`).catch(() => null);
  if (response?.ok) guide = await response.json();
}
if (guide) {
  renderGuide(box, guide);
  document.title = `${box.querySelector("h1").textContent} — ${t("app.name")}`;
  document.addEventListener("langchange", () => renderGuide(box, guide));
} else {
  fill(box, h("h1", {}, t("guides.not_found")), h("p", {}, h("a", { href: "/guides.html" }, t("guides.back"))));
}
