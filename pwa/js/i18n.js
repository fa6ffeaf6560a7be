// Text comes from locale files (pwa/locales/vi.json first, en.json). Elements name their text
// with data-i18n (textContent), data-i18n-placeholder, data-i18n-label (aria-label).

export const LANGUAGES = ["vi", "en"];
const STORAGE_KEY = "tiengdan.lang";
let current = "vi";
let strings = {};
let fallback = {};

async function load(lang) {
  const response = await fetch(`/locales/${lang}.json`);
  if (!response.ok) throw new Error(`locale ${lang}: HTTP ${response.status}`);
  return response.json();
}

/** The active language code. */
export function language() {
  return current;
}

/** The BCP 47 tag for dates and numbers. */
export function locale() {
  return current === "vi" ? "vi-VN" : "en-GB";
}

/** The text for key with {placeholders} filled; Vietnamese when the key is missing in English. */
export function t(key, vars = {}) {
  const text = strings[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Fill every data-i18n* element under root. */
export function apply(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}

/** Load the stored (or Vietnamese) language and translate the page. */
export async function initI18n() {
  const stored = localStorage.getItem(STORAGE_KEY);
  current = LANGUAGES.includes(stored) ? stored : "vi";
  fallback = await load("vi");
  strings = current === "vi" ? fallback : await load(current);
  document.documentElement.lang = current;
  apply();
}

/** Switch language, translate the page, and tell dynamic views to redraw ("langchange"). */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`unsupported language ${lang}`);
  strings = lang === "vi" ? fallback : await load(lang);
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  apply();
  document.dispatchEvent(new CustomEvent("langchange", { detail: lang }));
}

/** A short local date-time. */
export function formatTime(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "short" }).format(new Date(value));
}

/** An element whose text is the locale string `key` (kept up to date on language change). */
export function tr(tag, key, attrs = {}) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) element.setAttribute(name, value === true ? "" : String(value));
  }
  element.dataset.i18n = key;
  element.textContent = t(key);
  return element;
}

/** The text for a code from an open list (status, topic, channel…); the code itself if it has none. */
export function label(prefix, value) {
  const key = `${prefix}.${value}`;
  return key in strings || key in fallback ? t(key) : String(value);
}
