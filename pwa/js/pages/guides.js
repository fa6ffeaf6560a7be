// Guide index with accent-insensitive search.

import { byId, fill, h } from "../dom.js";
import { loadGuides, pick, searchGuides } from "../guides.js";
import { t } from "../i18n.js";
import { startPage } from "../shell.js";

await startPage();

const search = byId("guide-search");
let guides = [];

function draw() {
  const shown = search.value.trim() ? searchGuides(guides, search.value) : guides;
  fill(byId("guide-list"), shown.map((guide) =>
    h("li", { dataset: { id: guide.id } },
      h("a", { href: `/guide.html?id=${encodeURIComponent(guide.id)}` }, pick(guide.title)),
      h("p", {}, pick(guide.summary)))));
  byId("guide-count").textContent = t("guides.count", { n: shown.length });
}

try {
  guides = await loadGuides();
  draw();
} catch {
  byId("guide-count").textContent = t("guides.unavailable");
}
search.addEventListener("input", draw);
document.addEventListener("langchange", draw);
