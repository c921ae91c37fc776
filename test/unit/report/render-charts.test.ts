import { describe, expect, it } from 'vitest';
import { prefixIds, renderCharts } from '../../../src/report/render-charts.js';
import { confusionChart } from '../../../src/report/chart-specs.js';

describe('prefixIds', () => {
  it('renames ids and every reference to them, leaving other urls alone', () => {
    const svg =
      '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/><a href="#other"/></g></svg>';
    expect(prefixIds(svg, 'c3')).toBe(
      '<svg><defs><clipPath id="c3-clip1"><rect/></clipPath></defs><g clip-path="url(#c3-clip1)"><use href="#c3-clip1"/><a href="#other"/></g></svg>',
    );
  });
});

describe('renderCharts', () => {
  it('renders a Vega-Lite spec to an SVG whose marks carry the data, without a browser or canvas', async () => {
    const svgs = await renderCharts([
      {
        id: 'cm',
        spec: confusionChart(
          ['a', 'b'],
          [
            [3, 1],
            [0, 5],
          ],
        ),
      },
    ]);
    const svg = svgs.get('cm')!;
    expect(svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
    expect(svg).toContain('aria-label="predicted class: b; true class: a; rows: 1"');
    expect(svg).toContain('>5</text>');
  });
});
