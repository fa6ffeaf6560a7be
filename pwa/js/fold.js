// Accent-insensitive matching: many people type Vietnamese without diacritics.

/** Lowercase, strip combining marks (NFD), đ→d, collapse spaces: "Phường Hoàn Kiếm" → "phuong hoan kiem". */
export function fold(text) {
  return String(text)
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** Folded text as space-separated words with a space at each end, ready for `matchesAll`. */
export function searchable(text) {
  return ` ${fold(text).replace(/[^a-z0-9]+/g, " ").trim()} `;
}

/** True when every word of the query starts a word of the haystack (made by `searchable`). */
export function matchesAll(haystack, query) {
  return fold(query)
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ")
    .filter(Boolean)
    .every((word) => haystack.includes(` ${word}`));
}
