// The commune reference list (3,321 communes, wards and special zones) with accent-insensitive
// search. The service worker keeps both API answers, so this works offline after one visit.

import { communes, provinces } from "./api.js";
import { fold, matchesAll, searchable } from "./fold.js";

const DIVISION_PREFIX = /^(phuong|xa|dac khu|thi tran) /;
let loading = null;

/** [{code, name, division_type, province_code, province_name, key, bare}] — loaded once. */
export function communeIndex() {
  loading ??= Promise.all([communes(), provinces()])
    .then(([communeList, provinceList]) => {
      const provinceNames = new Map(provinceList.map((p) => [p.code, p.name]));
      return communeList.map((commune) => {
        const provinceName = provinceNames.get(commune.province_code) ?? "";
        const bare = fold(commune.name).replace(DIVISION_PREFIX, "");
        return { ...commune, province_name: provinceName, bare, key: searchable(`${commune.name} ${provinceName} ${commune.code}`) };
      });
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
  const hits = entries.filter((entry) => matchesAll(entry.key, folded));
  const rank = (entry) => (entry.bare.startsWith(folded) ? 0 : fold(entry.name).startsWith(folded) ? 1 : 2);
  hits.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, "vi"));
  return hits.slice(0, limit);
}

/** "Phường Hoàn Kiếm — Thành phố Hà Nội". */
export function communeLabel(entry) {
  return entry.province_name ? `${entry.name} — ${entry.province_name}` : entry.name;
}
