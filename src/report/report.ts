/**
 * `mlctl report`: a version's model card as one self-contained HTML file — summary, inputs,
 * hyperparameters, training curves with the early-stopping point, test metrics (confusion matrix
 * and per-class bars, or predicted-vs-actual and residuals), weight histograms, compression
 * against the parent, lineage, and optionally a second version side by side.
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { MlctlError } from '../errors.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { BackendChoice } from '../vocabulary.js';
import { mlctlVersion } from '../version.js';
import { gatherReport } from './gather-report.js';
import { planCharts } from './report-charts.js';
import { renderCharts } from './render-charts.js';
import { reportHtml, type SectionId } from './report-html.js';

export interface ReportOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
  compare?: VersionSelector;
  /** the HTML file to write (relative to `cwd`); default `<model>-v<version>.html` in `cwd` */
  out?: string;
  cwd: string;
  backend?: BackendChoice;
  onProgress?: (step: 'gather' | 'charts' | 'write') => void;
  /** the time printed as "generated" (tests pin it) */
  now?: Date;
}

export interface ReportResult {
  model: string;
  version: number;
  compare: number | null;
  /** absolute path of the written file */
  path: string;
  bytes: number;
  sections: SectionId[];
  charts: number;
  notes: string[];
}

export async function report(options: ReportOptions): Promise<ReportResult> {
  options.onProgress?.('gather');
  const data = await gatherReport(options);
  options.onProgress?.('charts');
  const specs = planCharts(data);
  const svgs = await renderCharts(specs);
  const page = reportHtml(data, svgs, { generatedAt: options.now ?? new Date(), mlctlVersion: mlctlVersion() });
  const version = data.subject.record.version;
  const out = path.resolve(options.cwd, options.out ?? `${data.model}-v${version}.html`);
  if (!out.toLowerCase().endsWith('.html') && !out.toLowerCase().endsWith('.htm')) {
    throw new MlctlError('USAGE', `--out ${options.out} should name an .html file.`, {
      hint: `For example: --out ${data.model}-report.html`,
    });
  }
  options.onProgress?.('write');
  await mkdir(path.dirname(out), { recursive: true });
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(out, page.html);
  return {
    model: data.model,
    version,
    compare: data.compare?.record.version ?? null,
    path: out,
    bytes: Buffer.byteLength(page.html),
    sections: page.sections,
    charts: svgs.size,
    notes: data.notes,
  };
}
