// A commune's published questions and answers (no login), searchable without accents.
// Only what staff published is ever returned by the backend, already redacted.

import { publicAnswers } from "../api.js";
import { communePicker } from "../commune-picker.js";
import { byId, fill, h } from "../dom.js";
import { matchesAll, searchable } from "../fold.js";
import { formatTime, label, t } from "../i18n.js";
import { startPage } from "../shell.js";

await startPage();

const commune = new URLSearchParams(location.search).get("commune");
const search = byId("answer-search");
let page = null;
let answers = [];

function draw() {
  if (!page) return;
  byId("answers-title").textContent = t("answers.title_commune", { commune: page.commune_name });
  const query = search.value.trim();
  const shown = query ? answers.filter((a) => matchesAll(a.key, query)) : answers;
  fill(byId("answer-list"), shown.map((a) =>
    h("li", { dataset: { id: a.id } },
      h("p", { class: "who" }, label("topic", a.topic), " · ", formatTime(a.published_at)),
      h("h2", { class: "question" }, a.question),
      h("p", { class: "answer" }, a.answer),
      h("p", { class: "citizens" }, t("answers.citizens", { n: a.citizens })))));
  byId("answer-count").textContent = shown.length ? t("answers.count", { n: shown.length }) : t("answers.none");
}

async function load() {
  try {
    page = await publicAnswers(commune);
    answers = page.items.map((a) => ({ ...a, key: searchable(`${a.question} ${a.answer}`) }));
    byId("answers-body").hidden = false;
    draw();
  } catch (error) {
    byId("answers-body").hidden = false;
    byId("answer-count").textContent = t(error.status === 0 ? "answers.offline" : "answers.not_found");
  }
}

if (commune) {
  search.addEventListener("input", draw);
  document.addEventListener("langchange", draw);
  await load();
} else {
  // No commune in the address: pick one, then come back with ?commune=CODE.
  const form = byId("answers-commune");
  form.hidden = false;
  communePicker(form);
  form.addEventListener("commune", (event) => {
    location.search = `?commune=${encodeURIComponent(event.detail.code)}`;
  });
}
