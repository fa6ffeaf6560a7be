// Guides for online public services: JSON files in /guides/, listed in /guides/index.json,
// rendered to DOM by `renderGuide` (text only, never HTML), searchable without diacritics.

import { fill, h } from "./dom.js";
import { fold, matchesAll, searchable } from "./fold.js";
import { language, t } from "./i18n.js";

const PROGRESS = "tiengdan.guide.";

/** A localized string or list: {vi, en} → the active language, Vietnamese as fallback. */
export function pick(value) {
  if (value === null || value === undefined || typeof value === "string" || Array.isArray(value)) return value;
  return value[language()] ?? value.vi;
}

/** Every guide, in index order. */
export async function loadGuides() {
  const index = await (await fetch("/guides/index.json")).json();
  return Promise.all(index.guides.map(async (id) => {
    const response = await fetch(`/guides/${id}.json`);
    if (!response.ok) throw new Error(`guide ${id}: HTTP ${response.status}`);
    return response.json();
  }));
}

/** Everything a search may match, folded to plain words: titles, summary, keywords, steps, both languages. */
export function searchText(guide) {
  const parts = [guide.keywords.join(" ")];
  const add = (value) => parts.push(typeof value === "string" ? value : Object.values(value).flat().join(" "));
  add(guide.title);
  add(guide.summary);
  guide.steps.forEach((step) => {
    add(step.title);
    add(step.text);
  });
  return searchable(parts.join(" "));
}

/**
 * Guides whose text holds the query as a phrase; failing that, every query word at the start of
 * a word ("bhyt", "gia han the"). Short words would match inside too many others otherwise.
 */
export function searchGuides(guides, query) {
  const folded = fold(query).replace(/[^a-z0-9]+/g, " ").trim();
  if (!folded) return guides;
  const texts = guides.map((guide) => [guide, searchText(guide)]);
  const phrase = texts.filter(([, text]) => text.includes(` ${folded}`));
  if (phrase.length) return phrase.map(([guide]) => guide);
  return texts.filter(([, text]) => matchesAll(text, folded)).map(([guide]) => guide);
}

function doneSteps(id) {
  try {
    return new Set(JSON.parse(localStorage.getItem(PROGRESS + id) || "[]"));
  } catch {
    return new Set();
  }
}

/** Draw one guide as a checklist into container; ticked steps are remembered on this device. */
export function renderGuide(container, guide) {
  const done = doneSteps(guide.id);
  const progress = h("p", { class: "progress", "aria-live": "polite" });
  const update = () => (progress.textContent = t("guides.progress", { done: done.size, total: guide.steps.length }));
  const save = () => localStorage.setItem(PROGRESS + guide.id, JSON.stringify([...done]));
  const list = (items) => h("ul", {}, (pick(items) || []).map((item) => h("li", {}, item)));
  const steps = h("ol", { class: "steps" }, guide.steps.map((step, i) => {
    const id = `step-${i}`;
    const box = h("input", { type: "checkbox", id, checked: done.has(i), onchange: (e) => {
      if (e.target.checked) done.add(i);
      else done.delete(i);
      save();
      update();
    } });
    return h("li", {}, h("div", { class: "check" }, box, h("label", { for: id }, h("strong", {}, pick(step.title)))),
      h("p", {}, pick(step.text)));
  }));
  update();
  fill(container,
    h("h1", {}, pick(guide.title)),
    h("p", { class: "lead" }, pick(guide.summary)),
    guide.you_need ? [h("h2", {}, t("guides.you_need")), list(guide.you_need)] : null,
    h("h2", {}, t("guides.steps")), progress, steps,
    h("button", { type: "button", class: "quiet", onclick: () => {
      done.clear();
      save();
      renderGuide(container, guide);
    } }, t("guides.reset")),
    guide.tips ? [h("h2", {}, t("guides.tips")), list(guide.tips)] : null,
    guide.links?.length ? [h("h2", {}, t("guides.links")), h("ul", {}, guide.links.map((link) =>
      h("li", {}, h("a", { href: link.url, rel: "noopener", target: "_blank" }, pick(link.label)), ` (${new URL(link.url).host})`)))] : null,
    h("p", { class: "hint" }, t("guides.checked", { date: guide.checked })));
}
