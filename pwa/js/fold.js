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

/** True when every word of the query occurs in the folded haystack. */
export function matchesAll(foldedHaystack, query) {
  return fold(query)
    .split(" ")
    .filter(Boolean)
    .every((word) => foldedHaystack.includes(word));
}
