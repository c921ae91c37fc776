/**
 * Reading a generated report the way a browser would: parsed by a real HTML parser (linkedom,
 * built on htmlparser2), then values read from table cells and from the `aria-label`s Vega gives
 * every chart mark ("predicted: setosa; true: setosa; count: 10").
 */
import { parseHTML } from 'linkedom';

export type Doc = ReturnType<typeof parseHTML>['document'];
type El = ReturnType<Doc['querySelector']> & object;

export function parseReport(html: string): Doc {
  return parseHTML(html).document;
}

/** A number as the report prints it: "0.9667", "−0.0012", "+0.0333", "12.5%". */
export function num(text: string | null | undefined): number {
  const t = (text ?? '')
    .trim()
    .replace(/\u2212/g, '-')
    .replace(/^\+/, '')
    .replace(/^±/, '');
  const pct = t.endsWith('%');
  const n = Number(pct ? t.slice(0, -1) : t);
  if (!Number.isFinite(n)) throw new Error(`not a number: "${text}"`);
  return pct ? n / 100 : n;
}

export function text(el: El | null | undefined): string {
  return (el?.textContent ?? '').trim();
}

/** The cell of a key/value table row: `<tr data-key="seed"><th>…</th><td>42</td>`. */
export function kv(doc: Doc, tableId: string, key: string): string {
  const td = doc.querySelector(`#${tableId} tr[data-key="${key}"] td`);
  if (!td) throw new Error(`#${tableId} has no row ${key}`);
  return text(td);
}

/** `{predicted: 'setosa', true: 'setosa', count: '10'}` from an aria-label. */
export function aria(el: El): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (el.getAttribute('aria-label') ?? '').split('; ')) {
    const i = part.indexOf(': ');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 2);
  }
  return out;
}

/** The marks of one chart (elements with role graphics-symbol inside mark groups), as aria records. */
export function marks(doc: Doc, chart: string, kind?: 'text' | 'path'): Record<string, string>[] {
  const figure = doc.querySelector(`figure[data-chart="${chart}"]`);
  if (!figure) throw new Error(`no chart ${chart}`);
  const selector = `.role-mark ${kind ?? ''}[role="graphics-symbol"]`.replace('  ', ' ');
  return [...figure.querySelectorAll(selector)].map((e) => aria(e as El));
}

/**
 * Everything in the page that would make a browser fetch something: src/href/srcset/poster/data
 * attributes (in-page "#anchors" and data: URIs aside), <link>, <script>, <iframe>, <object>, and
 * url()/@import in CSS.
 */
export function externalReferences(doc: Doc): string[] {
  const found: string[] = [];
  for (const el of doc.querySelectorAll('*')) {
    const e = el as El;
    const tag = e.tagName.toLowerCase();
    if (['link', 'script', 'iframe', 'object', 'embed', 'base'].includes(tag)) found.push(`<${tag}>`);
    for (const attr of ['src', 'href', 'xlink:href', 'srcset', 'poster', 'data', 'action', 'background']) {
      const v = e.getAttribute(attr);
      if (v !== null && !v.startsWith('#') && !v.startsWith('data:')) found.push(`${tag} ${attr}="${v}"`);
    }
    const style = e.getAttribute('style');
    if (style && /url\(|@import/i.test(style)) found.push(`${tag} style="${style}"`);
  }
  for (const style of doc.querySelectorAll('style')) {
    const css = (style as El).textContent ?? '';
    for (const m of css.matchAll(/url\(\s*['"]?([^'")]*)|@import[^;]*/gi)) if (!m[1]?.startsWith('data:')) found.push(`css ${m[0]}`);
  }
  return found;
}
