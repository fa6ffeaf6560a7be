// The feedback form, shared by citizens (feedback.html) and volunteers recording a resident's
// feedback (volunteer.html, assisted). Submitting puts the item in the outbox; sending is
// the outbox's job, so the form behaves the same online and offline.

import { communePicker } from "./commune-picker.js";
import { fill, h } from "./dom.js";
import { t, tr } from "./i18n.js";
import { enqueueFeedback } from "./outbox.js";
import { MAX_SIDE, resizePhoto } from "./photo.js";

function field(id, labelKey, control, hintKey = null) {
  const hint = hintKey ? tr("p", hintKey, { id: `${id}-hint`, class: "hint" }) : null;
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  return h("div", { class: "field" }, tr("label", labelKey, { for: id }), hint, control);
}

function checkbox(id, labelKey, attrs = {}) {
  return h("div", { class: "check" }, h("input", { type: "checkbox", id, name: id, ...attrs }), tr("label", labelKey, { for: id }));
}

/** Build the form into `container`; `onQueued(item)` runs after each submission is kept. */
export function feedbackForm(container, { assisted = false, allowed = null, initialCommune = null, onQueued = () => {} } = {}) {
  const pickerBox = h("div", { class: "field" });
  const text = h("textarea", { id: "text", name: "text", required: true, maxlength: 5000, rows: 6 });
  const photoInput = h("input", { id: "photo", name: "photo", type: "file", accept: "image/*" });
  const preview = h("div", { id: "photo-preview", class: "preview", "aria-live": "polite" });
  const name = h("input", { id: "name", name: "name", maxlength: 120, autocomplete: "name" });
  const phone = h("input", { id: "phone", name: "phone", type: "tel", inputmode: "tel", autocomplete: "tel", pattern: "\\+?[0-9 .()\\-]{8,20}" });
  const email = h("input", { id: "email", name: "email", type: "email", maxlength: 254, autocomplete: "email" });
  const consentBox = checkbox("consent", "form.consent");
  const residentBox = assisted ? checkbox("resident-agreed", "volunteer.resident_agreed", { required: true }) : null;
  const status = h("p", { id: "form-status", class: "status", role: "status" });
  // novalidate: the submit handler always runs and checks everything itself with reportValidity(),
  // so a custom message set on one attempt cannot block the next one.
  const form = h("form", { id: "feedback-form", novalidate: true },
    pickerBox,
    field("text", "form.text", text, "form.text_hint"),
    field("photo", "form.photo", photoInput, "form.photo_hint"),
    preview,
    h("fieldset", {},
      tr("legend", "form.contact"),
      tr("p", "form.contact_hint", { class: "hint" }),
      field("name", "form.name", name),
      field("phone", "form.phone", phone),
      field("email", "form.email", email),
      assisted ? null : consentBox),
    residentBox,
    tr("button", "form.submit", { type: "submit", class: "primary" }),
    status);
  fill(container, form);
  const picker = communePicker(pickerBox, { allowed, initial: initialCommune });

  let photo = null;
  let previewUrl = null;
  const showPhoto = () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = photo ? URL.createObjectURL(photo.blob) : null;
    fill(preview, photo ? [
      h("img", { src: previewUrl, alt: t("form.photo_preview"), width: photo.width, height: photo.height }),
      h("p", { class: "hint" }, t("form.photo_kept", { width: photo.width, height: photo.height, kb: Math.ceil(photo.blob.size / 1024) })),
    ] : []);
  };
  photoInput.addEventListener("change", async () => {
    const file = photoInput.files?.[0];
    photo = null;
    photoInput.setCustomValidity("");
    if (file) {
      try {
        photo = await resizePhoto(file, MAX_SIDE);
      } catch {
        photoInput.setCustomValidity(t("form.photo_invalid"));
        photoInput.reportValidity();
      }
    }
    showPhoto();
  });

  const consent = () => (assisted ? residentBox.querySelector("input").checked : consentBox.querySelector("input").checked);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = picker.validate();
    const needsConsent = Boolean(phone.value.trim() || email.value.trim()) && !assisted;
    consentBox.querySelector("input").setCustomValidity(needsConsent && !consent() ? t("form.consent_required") : "");
    text.setCustomValidity(text.value.trim() ? "" : t("form.text_required"));
    if (!code || !form.reportValidity()) return;
    const payload = {
      text: text.value.trim(),
      commune_code: code,
      name: name.value.trim() || null,
      phone: phone.value.trim() || null,
      email: email.value.trim() || null,
      consent: consent(),
    };
    const item = await enqueueFeedback(payload, { photo, assisted });
    form.reset();
    picker.reset();
    photo = null;
    showPhoto();
    status.textContent = navigator.onLine ? t("form.queued_online") : t("form.queued_offline");
    onQueued(item);
  });
  return { picker, form };
}
