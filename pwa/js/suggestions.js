// The case page's suggested replies: canned texts, past answers and guides. Each item only
// inserts its text into the reply box for staff to edit; nothing is ever sent from here.

import { fill, h } from "./dom.js";
import { t } from "./i18n.js";

/** Put `text` at the cursor of the reply box (or after what is there) and focus it. */
export function insertIntoReply(box, text) {
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  const before = box.value.slice(0, start);
  const gap = before && !before.endsWith("\n") ? "\n" : "";
  box.value = `${before}${gap}${text}${box.value.slice(end)}`;
  const caret = before.length + gap.length + text.length;
  box.focus();
  box.setSelectionRange(caret, caret);
}

function item(kind, title, body, text, box) {
  return h("li", { class: `suggestion suggestion-${kind}` },
    h("p", { class: "who" }, t(`suggest.kind_${kind}`), " · ", title),
    body ? h("p", { class: "body" }, body) : null,
    h("button", { type: "button", class: "quiet", onclick: () => insertIntoReply(box, text) }, t("suggest.insert")));
}

function guideText(guide) {
  return t("suggest.guide_text", { title: guide.title, url: new URL(guide.url, location.origin).href });
}

/** Fetch and show the suggestions; a failure leaves a note, never blocks the reply form. */
export async function loadSuggestions(fetchSuggestions, container, box) {
  let found;
  try {
    found = await fetchSuggestions();
  } catch (error) {
    fill(container, h("p", { class: "empty" }, t("suggest.unavailable", { reason: error.detail })));
    return;
  }
  const items = [
    ...found.canned.map((c) => item("canned", c.title, c.text, c.text, box)),
    ...found.past_answers.map((p) => item("past", p.tracking_code, p.answer, p.answer, box)),
    ...found.guides.map((g) => item("guide", g.title, g.summary, guideText(g), box)),
  ];
  fill(container, items.length ? h("ul", { class: "suggestions" }, items) : h("p", { class: "empty" }, t("suggest.none")));
}
