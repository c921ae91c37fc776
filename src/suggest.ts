/**
 * "Did you mean …?" for names a user typed: templates, models, aliases, config keys. A leaf module
 * (every layer may use it). Edit distance from fastest-levenshtein; a candidate is offered when it
 * is within 2 edits (1 for words under 4 characters) and shares more than 40% of its characters
 * with the word (commander's rule for command names), or when one name starts with the other
 * ("breast" → "breast-cancer").
 */
import { distance } from 'fastest-levenshtein';

/** The closest candidates (best first, at most `max`), or [] when none is close. */
export function suggestSimilar(word: string, candidates: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  if (w.length === 0) return [];
  const limit = w.length >= 4 ? 2 : 1;
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(candidates)) {
    const c = name.toLowerCase();
    if (c === w) continue;
    const d = distance(w, c);
    const prefix = w.length >= 3 && (c.startsWith(w) || w.startsWith(c));
    const similar = d <= limit && 1 - d / Math.max(w.length, c.length) > 0.4;
    if (similar || prefix) scored.push({ name, score: prefix ? Math.min(d, limit) : d });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}

/** ` Did you mean "iris"?` (with a leading space), or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggestSimilar(word, candidates);
  if (s.length === 0) return '';
  const quoted = s.map((x) => `"${x}"`);
  return ` Did you mean ${quoted.length === 1 ? quoted[0] : `one of ${quoted.join(', ')}`}?`;
}
