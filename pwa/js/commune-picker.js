// A searchable commune picker: an ARIA 1.2 combobox with a listbox popup (WAI-ARIA APG
// "Editable Combobox With List Autocomplete").

import { communeIndex, communeLabel, searchCommunes } from "./communes.js";
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";

/**
 * Render into `container`; returns {code, select(code)}.
 * `allowed`: optional list of commune codes (a volunteer's scope); `initial`: code to preselect.
 */
export function communePicker(container, { allowed = null, initial = null } = {}) {
  const input = h("input", {
    id: "commune-search", type: "search", role: "combobox", autocomplete: "off",
    "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "commune-options",
    "aria-describedby": "commune-hint commune-chosen",
  });
  const list = h("ul", { id: "commune-options", role: "listbox", class: "options", hidden: true, "aria-label": t("commune.options") });
  const chosen = h("p", { id: "commune-chosen", class: "chosen", "aria-live": "polite" });
  const hint = h("p", { id: "commune-hint", class: "hint" }, t("commune.hint"));
  fill(container, h("label", { for: "commune-search" }, t("commune.label")), hint, input, list, chosen);

  let entries = [];
  let shown = [];
  let active = -1;
  const state = { code: null };

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const choose = (entry) => {
    state.code = entry.code;
    input.value = communeLabel(entry);
    input.setCustomValidity("");
    chosen.textContent = t("commune.chosen", { name: communeLabel(entry), code: entry.code });
    close();
    container.dispatchEvent(new CustomEvent("commune", { detail: entry, bubbles: true }));
  };
  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    }
  };
  const render = () => {
    shown = searchCommunes(entries, input.value);
    fill(list, shown.map((entry, i) =>
      h("li", { id: `commune-option-${i}`, role: "option", "aria-selected": "false",
        onmousedown: (event) => event.preventDefault(), onclick: () => choose(entry) }, communeLabel(entry))));
    if (input.value.trim() && !shown.length) list.append(h("li", { class: "empty", role: "presentation" }, t("commune.none")));
    list.hidden = !input.value.trim();
    input.setAttribute("aria-expanded", String(!list.hidden));
    active = -1;
  };

  input.addEventListener("input", () => {
    state.code = null;
    chosen.textContent = "";
    render();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && shown.length) highlight(Math.min(active + 1, shown.length - 1));
    else if (event.key === "ArrowUp" && shown.length) highlight(Math.max(active - 1, 0));
    else if (event.key === "Enter" && active >= 0) choose(shown[active]);
    else if (event.key === "Escape") close();
    else return;
    event.preventDefault();
  });
  input.addEventListener("blur", () => setTimeout(close, 150));

  const select = (code) => {
    const entry = entries.find((e) => e.code === code);
    if (entry) choose(entry);
  };
  const ready = communeIndex()
    .then((all) => {
      entries = allowed ? all.filter((entry) => allowed.includes(entry.code)) : all;
      if (initial) select(initial);
      else if (entries.length === 1) choose(entries[0]);
    })
    .catch(() => {
      hint.textContent = t("commune.unavailable");
      hint.classList.add("error");
    });

  return {
    ready,
    select,
    /** The chosen code; marks the field invalid (with a message) when none is chosen. */
    validate() {
      input.setCustomValidity(state.code ? "" : t("commune.required"));
      return state.code;
    },
    get code() {
      return state.code;
    },
    reset() {
      state.code = null;
      input.value = "";
      chosen.textContent = "";
      if (entries.length === 1) choose(entries[0]);
    },
  };
}
