/**
 * Vega-Lite specs → inline SVG strings, without a browser or a canvas: Vega-Lite compiles each
 * spec to Vega, and Vega's headless View renders it with `toSVG()` (text widths are estimated,
 * which is why no canvas package is needed). Both libraries are ESM-only and loaded on first use.
 * Element ids are prefixed per chart so several SVGs can share one page.
 */
import type { TopLevelSpec } from 'vega-lite';

export interface ChartSpec {
  /** unique within the page; becomes the id prefix of the chart's SVG elements */
  id: string;
  spec: TopLevelSpec;
}

export async function renderCharts(charts: ChartSpec[]): Promise<Map<string, string>> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const out = new Map<string, string>();
  for (const chart of charts) {
    const compiled = vegaLite.compile(chart.spec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
    try {
      out.set(chart.id, prefixIds(await view.toSVG(), chart.id));
    } finally {
      view.finalize();
    }
  }
  return out;
}

/** Renames every `id="x"` to `id="<prefix>-x"` and rewrites the `url(#x)` / `href="#x"` references to it. */
export function prefixIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  if (ids.size === 0) return svg;
  const rename = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  return svg
    .replace(/(\sid=")([^"]+)"/g, (_, a: string, id: string) => `${a}${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${rename(id)})`)
    .replace(/(href=")#([^"]+)"/g, (_, a: string, id: string) => `${a}#${rename(id)}"`);
}
