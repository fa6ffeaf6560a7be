// The commune reference list (3,321 communes, wards and special zones) with accent-insensitive
// search. The service worker keeps both API answers, so this works offline after one visit.

import { communes, provinces } from "./api.js";
import { fold, matchesAll, searchable } from "./fold.js";

const DIVISION_PREFIX = /^(phuong|xa|dac khu|thi tran) /;
let loading = null;

const CHUNK = 50; // names folded per step: a step stays well below a 50 ms long task on a slow phone

/** Add the search keys (`key`, `bare`) to entries that have none yet. */
function addKeys(entries, from = 0, to = entries.length) {
  for (let i = from; i < to; i += 1) {
    const entry = entries[i];
    if (entry.key) continue;
    entry.bare = fold(entry.name).replace(DIVISION_PREFIX, "");
    entry.key = searchable(`${entry.name} ${entry.province_name} ${entry.code}`);
  }
}

/** Fold the names in small steps after loading, so the first search is instant and loading
 * the page never blocks the main thread for long (3,321 names × accent folding). */
function addKeysInSteps(entries, from = 0) {
  if (from >= entries.length) return;
  setTimeout(() => {
    addKeys(entries, from, Math.min(from + CHUNK, entries.length));
    addKeysInSteps(entries, from + CHUNK);
  }, 0);
}

/** [{code, name, division_type, province_code, province_name, key, bare}] — loaded once. */
export function communeIndex() {
  loading ??= Promise.all([communes(), provinces()])
    .then(([communeList, provinceList]) => {
      const provinceNames = new Map(provinceList.map((p) => [p.code, p.name]));
      const entries = communeList.map((commune) => ({ ...commune, province_name: provinceNames.get(commune.province_code) ?? "" }));
      addKeysInSteps(entries);
      return entries;
    })
    .catch((error) => {
      loading = null; // let the next call try again
      throw error;
    });
  return loading;
}

/** Communes matching every word of the query; names that start with it first. */
export function searchCommunes(entries, query, limit = 30) {
  const folded = fold(query);
  if (!folded) return [];
  addKeys(entries); // whatever the background steps have not folded yet
  const hits = entries.filter((entry) => matchesAll(entry.key, folded));
  const rank = (entry) => (entry.bare.startsWith(folded) ? 0 : fold(entry.name).startsWith(folded) ? 1 : 2);
  hits.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, "vi"));
  return hits.slice(0, limit);
}

/** "Phường Hoàn Kiếm — Thành phố Hà Nội". */
export function communeLabel(entry) {
  return entry.province_name ? `${entry.name} — ${entry.province_name}` : entry.name;
}
