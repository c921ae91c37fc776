/**
 * The report in a real browser: Debian's Chromium (/usr/bin/chromium) driven by playwright-core,
 * headless with a fresh profile and every background network feature off. The page must log no
 * console error, make no network request (only the file itself is loaded), and every chart's SVG
 * must have a non-zero size. Screenshots (light, dark, and a pruned-then-quantized version compared
 * with the trained one) are kept in this run's temp folder for a person to look at; the test prints where.
 *
 * Skipped ONLY when /usr/bin/chromium does not exist (.ci/run installs Debian's `chromium`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { runCli } from '../helpers/run-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`report browser check skipped: ${CHROMIUM} not found (install Debian's "chromium" package: apt-get install -y chromium)`);

let work: string;
let profile: string;
let context: BrowserContext;

describe.skipIf(!hasChromium)(`the report in headless Chromium (${CHROMIUM})`, () => {
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'mlctl-report-browser-'));
    const cli = (args: string[]) => runCli([...args, '--registry', 'reg', '--backend', 'wasm'], { cwd: work });
    const trained = await cli(['train', 'iris', '--epochs', '60', '--patience', '8', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    for (const args of [
      ['prune', 'iris', '--version', '1', '--sparsity', '0.6', '--fine-tune-epochs', '5'],
      ['quantize', 'iris', '--version', '2', '--dtype', 'uint8'],
      ['report', 'iris', '--version', '1', '--out', 'iris-v1.html'],
      ['report', 'iris', '--version', '3', '--compare', '1', '--out', 'iris-v3.html'],
    ]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
    }
    const { chromium } = await import('playwright-core');
    profile = await mkdtemp(path.join(os.tmpdir(), 'mlctl-chromium-profile-'));
    // a fresh --user-data-dir: playwright passes the profile folder itself
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1200, height: 900 },
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    if (work) {
      await rm(path.join(work, 'reg'), { recursive: true, force: true });
      console.log(`report screenshots kept in ${work}`);
    }
  });

  it.each([
    ['iris-v1.html', 'light'],
    ['iris-v1.html', 'dark'],
    ['iris-v3.html', 'light'],
  ] as const)('%s (%s): no console error, no network request, every chart drawn; screenshot saved', async (file, scheme) => {
    const page = await context.newPage();
    const url = pathToFileURL(path.join(work, file)).href;
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(url, { waitUntil: 'load' });

    const figures = await page.locator('figure.chart').count();
    expect(figures).toBeGreaterThanOrEqual(file === 'iris-v1.html' ? 6 : 4);
    const sizes = await page.locator('figure.chart svg').evaluateAll((svgs) =>
      svgs.map((svg) => {
        const r = svg.getBoundingClientRect();
        return { chart: svg.parentElement?.getAttribute('data-chart'), width: r.width, height: r.height };
      }),
    );
    expect(sizes).toHaveLength(figures);
    for (const s of sizes) {
      expect(s.width, s.chart ?? '').toBeGreaterThan(50);
      expect(s.height, s.chart ?? '').toBeGreaterThan(50);
    }
    if (file === 'iris-v3.html') expect(sizes.map((s) => s.chart)).toContain('sparsity');

    const shot = path.join(work, `${path.basename(file, '.html')}-${scheme}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    const png = await readFile(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(50_000);

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]); // the file itself, nothing else
    await page.close();
  });
});
