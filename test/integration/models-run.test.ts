/**
 * Several models at once through the built CLI and the emulator: three models over the labelled
 * sample write three results files of the same 120 ids, the accuracy printed per model is the
 * share of `match=true` rows in its file, a rerun (and a run to other files) makes no call, and
 * `compare` reads the three files back as the same figures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelSlug } from '../../src/job/models.js';
import { ledgerEnv, ROOT, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const MODELS = [
  'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  'us.amazon.nova-pro-v1:0',
  'us.amazon.nova-lite-v1:0',
] as const;
const FILES = MODELS.map((m) => `tickets-labelled.${modelSlug(m)}.sample-120-s7.results.csv`);
const ARGS = [
  'tickets-labelled.csv',
  '--template',
  'Classify this support ticket: {{body}}',
  '--id-column',
  'ticket_id',
  '--json-schema',
  join(ROOT, 'jobs/ticket-triage.schema.json'),
  '--expect',
  'category=label',
  '--sample',
  '120',
  '--seed',
  '7',
  '-m',
  MODELS.join(','),
  '-c',
  '6',
];

type Row = Record<string, string>;
const rows = (path: string) => parse(readFileSync(path), { columns: true }) as Row[];
let dir: string;
let env: Record<string, string>;
let first: { code: number; stderr: string; requests: number };

beforeAll(async () => {
  dir = workdir('tickets-labelled.csv');
  // One ledger for the file's steps: the later runs find the answers the first one bought.
  env = { ...used.env(), ...ledgerEnv() };
  const run = await runCli(ARGS, { cwd: dir, env });
  first = { code: run.code, stderr: run.stderr, requests: used.emulator.stats().requests };
}, 60_000);

describe('-m a,b,c over a labelled sample', () => {
  it('writes a results file per model, of the same 120 ids, and prints the accuracy of each', () => {
    expect(first.code, first.stderr).toBe(0);
    const ids = FILES.map((f) => rows(join(dir, f)).map((r) => r.ticket_id));
    expect(ids[0]).toHaveLength(120);
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    for (const [i, model] of MODELS.entries()) {
      const file = rows(join(dir, FILES[i] as string));
      expect(new Set(file.map((r) => r.model))).toEqual(new Set([model]));
      const scored = file.filter((r) => r.match === 'true' || r.match === 'false');
      const matched = file.filter((r) => r.match === 'true').length;
      expect(scored.length).toBeGreaterThan(0);
      // The line of this model in the printed summary, figures read from the file.
      const line = first.stderr.split('\n').find((l) => l.startsWith(`${model} `)) ?? '';
      const percent = ((matched / scored.length) * 100).toFixed(1);
      expect(line).toContain(`${matched} of ${scored.length} (${percent}%)`);
      const summary = JSON.parse(readFileSync(join(dir, `${FILES[i]}.summary.json`), 'utf8'));
      expect(summary.score).toEqual({ rows: scored.length, matched, accuracy: matched / scored.length });
    }
    expect(first.stderr).toMatch(/^total {5}360 rows: 360 ok, 0 error; \$[\d.]+; \d+ calls/m);
    // Duplicate tickets in the sample are asked once per model (in-run reuse): at most 360 calls.
    expect(first.requests).toBeGreaterThan(300);
    expect(first.requests).toBeLessThanOrEqual(360);
  });

  it('a rerun makes no call, and a run to other files reuses every answer from the ledger', async () => {
    used.emulator.resetStats();
    const again = await runCli(ARGS, { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    const elsewhere = await runCli([...ARGS, '-o', 'again.{model}.csv'], { cwd: dir, env });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    for (const [i, model] of MODELS.entries()) {
      const copy = rows(join(dir, `again.${modelSlug(model)}.csv`));
      expect(copy.map((r) => r.reused)).toEqual(Array(120).fill('true'));
      expect(copy.map((r) => r.match)).toEqual(rows(join(dir, FILES[i] as string)).map((r) => r.match));
    }
  }, 60_000);

  it('compare reads the three files back: a line per model, its accuracy the share of match=true', async () => {
    const result = await runCli(
      ['compare', ...FILES, '--format', 'json', '--input', 'tickets-labelled.csv'],
      {
        cwd: dir,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { full_rows: number; models: Array<Record<string, unknown>> };
    expect(out.full_rows).toBe(300);
    expect(out.models.map((m) => m.model)).toEqual([...MODELS]);
    for (const [i, line] of out.models.entries()) {
      const file = rows(join(dir, FILES[i] as string));
      const scored = file.filter((r) => r.match === 'true' || r.match === 'false').length;
      expect(line.rows).toBe(120);
      expect(line.accuracy).toBe(file.filter((r) => r.match === 'true').length / scored);
    }
    const table = await runCli(['compare', ...FILES], { cwd: dir });
    expect(table.code, table.stderr).toBe(0);
    for (const model of MODELS) expect(table.stdout).toContain(model);
  });
});
