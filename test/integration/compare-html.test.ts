/**
 * `compare --format html` and the report's long-id labels in a real browser: Debian's Chromium,
 * driven headless by playwright-core over a fresh profile, as report-html.test.ts does. With
 * UPDATE_SCREENSHOT=1 the compare page's screenshot also replaces docs/compare.png.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readJsonl, runCli, workdir } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
];
const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
/** Three Haiku profiles (the labels the report cut to one) and Nova Pro, each with accuracy k/4. */
const RUNS = [
  [`us.${HAIKU}`, 'us.results.jsonl', 3],
  [`eu.${HAIKU}`, 'eu.results.jsonl', 2],
  [`global.${HAIKU}`, 'global.results.jsonl', 4],
  ['us.amazon.nova-pro-v1:0', 'nova.results.jsonl', 3],
] as const;

let dir: string;
let context: BrowserContext;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
  dir = workdir('tickets-labelled.csv');
  const lines = readFileSync(join(dir, 'tickets-labelled.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'sample.csv'), `${lines.slice(0, 21).join('\n')}\n`);
  for (const [model, out, right] of RUNS) {
    const run = await runCli(['sample.csv', '--emulate', '-m', model, '--template', '{{body}}', '-o', out], {
      cwd: dir,
    });
    expect(run.code, run.stderr).toBe(0);
    // `right` of every 4 rows marked correct: accuracy right/4, known before any code runs.
    const rows = readJsonl(join(dir, out)).map((r, n) => ({ ...r, match: n % 4 < right }));
    writeFileSync(join(dir, out), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  }
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
});

describe('in Chromium', () => {
  it('plots accuracy against cost per 1,000 rows and marks the cheapest model above --min-accuracy', async () => {
    const files = RUNS.map((r) => r[1]);
    const json = JSON.parse(
      (await runCli(['compare', ...files, '--format', 'json', '--rows', '300'], { cwd: dir })).stdout,
    );
    const args = [
      'compare',
      ...files,
      '--rows',
      '300',
      '--format',
      'html',
      '--min-accuracy',
      '0.7',
      '-o',
      'compare.html',
    ];
    const result = await runCli(args, { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const html = readFileSync(join(dir, 'compare.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);

    // Worked out here: among the lines at 75% or more, the lowest cost per 1,000 rows at any mode.
    type Line = Record<string, number | string | null>;
    const candidates = (json.models as Line[])
      .filter((m) => Number(m.accuracy) >= 0.7)
      .flatMap((m) =>
        (['projected_on_demand_usd', 'projected_flex_usd', 'projected_batch_usd'] as const).flatMap((k) =>
          m[k] === null ? [] : [{ model: String(m.model), per1k: (Number(m[k]) / 300) * 1000, mode: k }],
        ),
      )
      .sort((a, b) => a.per1k - b.per1k);
    const best = candidates[0];
    expect(best).toBeDefined();

    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(join(dir, 'compare.html')).href);
    expect(await page.locator('svg#chart').isVisible()).toBe(true);
    // One point per model and mode it has a price for (Haiku has no flex price: 3 x 2 + Nova 3).
    const expectedPoints = (json.models as Line[]).reduce(
      (n, m) =>
        n +
        ['projected_on_demand_usd', 'projected_flex_usd', 'projected_batch_usd'].filter((k) => m[k] !== null)
          .length,
      0,
    );
    expect(await page.locator('circle.point').count()).toBe(expectedPoints);
    const marked = await page.locator('#best').textContent();
    expect(marked).toContain(best?.model);
    expect(await page.locator('#models tbody tr').count()).toBe(4);
    expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    if (process.env.UPDATE_SCREENSHOT === '1') writeFileSync(join(ROOT, 'docs/compare.png'), png);
  });

  it('the report keeps the us./eu./global. labels apart and its cost column inside 1,400 px', async () => {
    // An application inference profile's ARN: the longest key a report meets, which pushed the
    // numbers (the cost among them) out of the window before the key column wrapped.
    const arn = `arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/${'nightly-ticket-triage-'.repeat(3)}x7k2`;
    const record = { id: 'a', status: 'ok', model: arn, input_tokens: 10, output_tokens: 5, cost_usd: null };
    writeFileSync(join(dir, 'arn.results.jsonl'), `${JSON.stringify(record)}\n`);
    const result = await runCli(
      ['report', ...RUNS.map((r) => r[1]), 'arn.results.jsonl', '--format', 'html', '-o', 'report.html'],
      {
        cwd: dir,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    const labels = await page.locator('svg#cost-chart text.key').allTextContents();
    const haiku = labels.filter((l) => l.includes('claude-haiku-4-5'));
    expect(haiku.map((l) => l.split('.')[0]).sort()).toEqual(['eu', 'global', 'us']);
    const headers = await page.locator('#totals thead th').allTextContents();
    const cost = page.locator('#totals thead th').nth(headers.indexOf('cost'));
    const box = await cost.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1400);
  });
});
