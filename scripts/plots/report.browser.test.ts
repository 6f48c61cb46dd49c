/**
 * report.html in a real browser: Debian's chromium (package `chromium`),
 * headless, driven by playwright-core, opens the report from disk with no
 * network, waits until every view has rendered, and checks that each figure
 * drew marks, that tooltips carry the run's parameters, that the console
 * shows no error and that nothing but the file itself was requested. The
 * screenshot goes to a temporary directory removed afterwards, or to
 * $DIRTYBENCH_SCREENSHOT_DIR (kept, its path printed).
 * Without chromium the test skips with one line naming the package.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlotsOutcome, writePlots } from './index.ts';
import { loadFixture, pngSize } from './testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.log(`report browser test skipped: ${CHROMIUM} missing (install the Debian package chromium)`);

describe.skipIf(!haveChromium)('report.html in headless Chromium', () => {
  const work = mkdtempSync(join(tmpdir(), 'dirtybench-report-'));
  const keep = process.env['DIRTYBENCH_SCREENSHOT_DIR'];
  const shotDir = keep ? resolve(keep) : work;
  let outcome: PlotsOutcome;
  let browser: BrowserContext;
  const messages: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    outcome = await writePlots([loadFixture()], join(work, 'plots'));
    browser = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('renders every figure from disk, offline, with marks, tooltips and a clean console', async () => {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') messages.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => messages.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    const report = join(outcome.dir, 'report.html');
    await page.goto(pathToFileURL(report).href);
    // Expressions evaluated in the page (this file is type-checked without the DOM's types).
    await page.waitForFunction('document.documentElement.dataset.plots !== undefined', null, {
      timeout: 60_000,
    });
    const status = (await page.evaluate('window.plotsStatus')) as { charts: string[]; failures: string[] };
    expect(status.failures).toEqual([]);
    expect(status.charts).toEqual(outcome.charts.map((c) => c.name));

    // Each figure drew its marks: the items of its mark groups (legends and axes not counted).
    const marks = await page.$$eval('.view', (views) =>
      views.map((v) => [v.id, v.querySelectorAll('g.role-mark > [role="graphics-symbol"]').length] as const),
    );
    expect(marks.map(([id]) => id)).toEqual(outcome.charts.map((c) => `view-${c.name}`));
    for (const [id, n] of marks) expect(n, id).toBeGreaterThan(0);

    // A tooltip names the run's parameters.
    await page.hover('#view-overhead g.role-mark [aria-roledescription="bar"]');
    const tip = await page.waitForSelector('#vg-tooltip-element.visible', { timeout: 10_000 });
    const text = (await tip.textContent()) ?? '';
    for (const field of [
      'strategy',
      'workload',
      'profile',
      'checkpoint interval',
      'workload parameters',
      'seeds',
    ]) {
      expect(text).toContain(field);
    }

    if (keep) mkdirSync(shotDir, { recursive: true });
    const shot = join(shotDir, 'report-screenshot.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (keep) console.log(`report screenshot: ${shot}`);
    expect(pngSize(readFileSync(shot)).width).toBe(1400);
    expect(statSync(shot).size).toBeGreaterThan(100_000);

    expect(messages).toEqual([]);
    expect(requests).toEqual([]);
  }, 120_000);
});
