/**
 * The HTML report in a real browser: Debian's Chromium (installed by .ci/run), driven headless by
 * playwright-core over a fresh profile with networking off. It must show the chart and the totals
 * from the file alone. With UPDATE_SCREENSHOT=1 the screenshot also replaces docs/report.png.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, workdir } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// .ci/run installs Chromium; a machine without it fails here, saying so, rather than skip.
describe('the HTML report in Chromium', () => {
  it('shows the cost chart and the totals, with nothing loaded from the network', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(
      true,
    );
    const dir = workdir('prompts.csv', 'prompts.jsonl', 'tickets.csv', 'triage-policy.txt');
    for (const job of [
      ['prompts.csv', '--emulate'],
      // The same model again with a cached system prompt, so the "cache saved" column and card
      // show a figure (in the screenshot too), not only dashes.
      [
        'prompts.csv',
        '--emulate',
        '--system',
        '@triage-policy.txt',
        '--cache-system',
        '-o',
        'cached.results.csv',
      ],
      ['prompts.jsonl', '--emulate', '-m', 'us.amazon.nova-pro-v1:0'],
      [
        'tickets.csv',
        '--emulate',
        '--template',
        'Reply in {{lang}}: {{body}}',
        '-m',
        'mistral.mistral-large-2402-v1:0',
      ],
    ]) {
      expect((await runCli(job, { cwd: dir })).code).toBe(0);
    }
    writeFileSync(
      join(dir, 'old.results.jsonl'),
      `${JSON.stringify({ id: 'x', status: 'ok', model: 'acme.unpriced-v1:0', input_tokens: 900, output_tokens: 300, cost_usd: null, finished_at: '2026-01-01T00:00:00Z' })}\n`,
    );
    const json = JSON.parse(
      (await runCli(['report', '*.results.*', '--format', 'json'], { cwd: dir })).stdout,
    );
    const result = await runCli(['report', '*.results.*', '--format', 'html', '-o', 'report.html'], {
      cwd: dir,
    });
    expect(result.code, result.stderr).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    // Self-contained: no script, stylesheet, image or font from anywhere.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);

    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1240, height: 900 },
    });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(join(dir, 'report.html')).href);

      const chart = page.locator('svg#cost-chart');
      await expect(chart.isVisible()).resolves.toBe(true);
      const bars = chart.locator('rect.bar');
      // One bar per priced model; the unpriced one is labelled, not drawn as $0.
      expect(await bars.count()).toBe(3);
      for (let i = 0; i < 3; i++) expect(Number(await bars.nth(i).getAttribute('width'))).toBeGreaterThan(0);
      await expect(chart.textContent()).resolves.toContain('unpriced (1 row)');
      expect(await page.locator('svg#tokens-chart rect.bar').count()).toBeGreaterThanOrEqual(8);

      const total = `$${Number(json.total.cost_usd).toFixed(4)}`;
      await expect(page.locator('#total-cost').textContent()).resolves.toBe(total);
      await expect(page.locator('#total-rows').textContent()).resolves.toBe(String(json.total.rows));
      const footer = await page.locator('#totals tfoot tr').textContent();
      expect(footer).toContain('total');
      expect(footer).toContain(total);
      expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
      await expect(page.locator('#cache-saved').textContent()).resolves.toBe(
        `$${Number(json.total.cache_saved_usd).toFixed(4)}`,
      );

      const png = await page.screenshot({ fullPage: true });
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      if (process.env.UPDATE_SCREENSHOT === '1') writeFileSync(join(ROOT, 'docs/report.png'), png);
    } finally {
      await context.close();
    }
  });
});
