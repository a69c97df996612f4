/**
 * --expect through the built CLI and the emulator: accuracy known by construction (expected values
 * made from the emulator's own replies, or a schema whose only allowed value is known), and a
 * rescore under another --match or a new --expect from the answers already bought: 0 calls.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const rows = (path: string) => parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;
const run = (dir: string, args: string[]) => runCli(['in.csv', ...args], { cwd: dir, env: used.env() });
const summaryOf = (path: string) => JSON.parse(readFileSync(`${path}.summary.json`, 'utf8'));

describe('--expect on the whole answer', () => {
  it('scores new, kept and ledger answers; another --match rescores with 0 calls', async () => {
    const dir = workdir();
    const prompts = Array.from({ length: 10 }, (_, i) => ({ id: `r${i + 1}`, prompt: `Question ${i + 1}` }));
    writeFileSync(join(dir, 'in.csv'), stringify(prompts, { header: true }));
    expect((await run(dir, [])).code).toBe(0);
    const out = join(dir, 'in.results.csv');
    const replies = rows(out).map((r) => r.response);
    // Rows 1-4 expect the reply as it is, 5-6 in capitals with a full stop (only normalized
    // matches), 7-9 something else, 10 nothing: normalized 6 of 9, exact 4 of 9.
    const label = (reply: string, i: number) =>
      i < 4 ? reply : i < 6 ? `${reply.toUpperCase()}.` : i < 9 ? 'something else' : '';
    const labelled = prompts.map((p, i) => ({ ...p, label: label(replies[i] ?? '', i) }));
    writeFileSync(join(dir, 'in.csv'), stringify(labelled, { header: true }));

    used.emulator.resetStats();
    const normalized = await run(dir, ['--expect', 'label']);
    expect(normalized.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(`${normalized.stdout}${normalized.stderr}`).toContain('score     6 of 9 match (66.7%)');
    const scored = rows(out);
    expect(scored.map((r) => r.match)).toEqual([...Array(6).fill('true'), ...Array(3).fill('false'), '']);
    expect(scored.map((r) => r.expected)).toEqual(labelled.map((r) => r.label));
    expect(scored.map((r) => r.response)).toEqual(replies);
    expect(summaryOf(out).score).toEqual({ rows: 9, matched: 6, accuracy: 6 / 9 });

    const exact = await run(dir, ['--expect', 'label', '--match', 'exact']);
    expect(exact.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(`${exact.stdout}${exact.stderr}`).toContain('score     4 of 9 match (44.4%)');
    expect(rows(out).map((r) => r.match)).toEqual([...Array(4).fill('true'), ...Array(5).fill('false'), '']);

    // A first scored run that buys its answers: the emulator replies the same to the same request.
    const fresh = await run(dir, ['--expect', 'label', '--no-ledger', '-o', 'fresh.csv']);
    expect(fresh.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(10);
    expect(`${fresh.stdout}${fresh.stderr}`).toContain('score     6 of 9 match (66.7%)');
  });

  it('refuses a missing column and a bad pattern before any call: exit 2', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'id,prompt,label\nr1,Q1,^ok$\nr2,Q2,([a-z]\n');
    used.emulator.resetStats();
    const missing = await run(dir, ['--expect', 'answer']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no "answer" column for --expect; the columns are id, prompt, label');
    const pattern = await run(dir, ['--expect', 'label', '--match', 'regex']);
    expect(pattern.code).toBe(2);
    expect(pattern.stderr).toMatch(/in\.csv:3: column "label": not a valid regular expression/);
    const field = await run(dir, ['--expect', 'category=label']);
    expect(field.code).toBe(2);
    expect(field.stderr).toContain('FIELD=COLUMN scores a field of a --json-schema answer');
    expect(used.emulator.stats().requests).toBe(0);
  });
});

describe('--expect FIELD=COLUMN with --json-schema', () => {
  it('scores the field: a schema allowing only "billing" against 7 billing and 3 refund labels is 70%', async () => {
    const dir = workdir();
    const schema = {
      type: 'object',
      required: ['category', 'note'],
      properties: { category: { type: 'string', enum: ['billing'] }, note: { type: 'string' } },
    };
    writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema));
    const labels = [
      'billing',
      'refund',
      'billing',
      'billing',
      'refund',
      'billing',
      'billing',
      'refund',
      'billing',
      'billing',
    ];
    writeFileSync(
      join(dir, 'in.csv'),
      stringify(
        labels.map((label, i) => ({ id: `t${i + 1}`, prompt: `Ticket ${i + 1}`, label })),
        { header: true },
      ),
    );
    // Answered first without --expect: adding it adds the columns and scores the answers, 0 calls.
    expect((await run(dir, ['--json-schema', 'schema.json', '--no-ledger'])).code).toBe(0);
    used.emulator.resetStats();
    const args = ['--json-schema', 'schema.json', '--expect', 'category=label', '--match', 'exact'];
    const first = await run(dir, [...args, '--log-format', 'json', '--no-ledger']);
    expect(first.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(first.stderr).toContain('added the columns match, expected_category, match_category');
    const summaryLine = `${first.stdout}\n${first.stderr}`
      .split('\n')
      .find((l) => l.includes('"type":"summary"'));
    expect(summaryLine).toContain('"score":{"rows":10,"matched":7,"accuracy":0.7}');
    const out = rows(join(dir, 'in.results.csv'));
    expect(out.map((r) => r.json_category)).toEqual(Array(10).fill('billing'));
    expect(out.map((r) => r.match_category)).toEqual(labels.map((l) => String(l === 'billing')));
    expect(out.map((r) => r.match)).toEqual(labels.map((l) => String(l === 'billing')));
    expect(out.map((r) => r.expected_category)).toEqual(labels);
  });
});
