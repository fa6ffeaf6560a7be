// The group page's publication panel: staff review the redacted question and answer, edit them,
// then publish on the commune's public Q&A page (or take it down). The backend redacts again.

import { publicationDraft, publishGroup, unpublishGroup } from "./api.js";
import { byId, fill, h } from "./dom.js";
import { t } from "./i18n.js";

/** Render the panel for group `id` into `container`; `say` reports the outcome. */
export async function showPublication(id, container, say) {
  let draft;
  try {
    draft = await publicationDraft(id);
  } catch (error) {
    fill(container, h("p", { class: "hint", id: "publish-state" }, t(error.status === 422 ? "publish.not_answered" : "case.action_failed", { reason: error.detail })));
    return;
  }
  const act = async (action, doneKey) => {
    try {
      await action();
      await showPublication(id, container, say);
      say(t(doneKey));
    } catch (error) {
      say(t(error.status === 0 ? "staff.needs_network" : "case.action_failed", { reason: error.detail }));
    }
  };
  const publicLink = `/answers.html?commune=${encodeURIComponent(draft.commune_code)}`;
  fill(container,
    h("p", { class: "hint", id: "publish-state", dataset: { published: String(draft.published) } },
      t(draft.published ? "publish.is_published" : "publish.is_draft", { n: draft.citizens }), " ",
      draft.published ? h("a", { href: publicLink }, t("publish.see_page")) : null),
    h("form", { id: "publish-form", onsubmit: (event) => {
      event.preventDefault();
      const question = byId("publish-question").value.trim();
      const answer = byId("publish-answer").value.trim();
      if (question && answer) act(() => publishGroup(id, question, answer), "publish.published");
    } },
    h("div", { class: "field" }, h("label", { for: "publish-question" }, t("publish.question")),
      h("textarea", { id: "publish-question", rows: 3, maxlength: 2000, required: true })),
    h("div", { class: "field" }, h("label", { for: "publish-answer" }, t("publish.answer")),
      h("textarea", { id: "publish-answer", rows: 4, maxlength: 8000, required: true })),
    h("p", { class: "inline" },
      h("button", { type: "submit", class: "primary" }, t(draft.published ? "publish.update" : "publish.publish")),
      draft.published ? h("button", { type: "button", id: "unpublish", class: "quiet", onclick: () => act(() => unpublishGroup(id), "publish.unpublished") }, t("publish.unpublish")) : null)));
  byId("publish-question").value = draft.question;
  byId("publish-answer").value = draft.answer;
}
