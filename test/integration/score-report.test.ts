/**
 * `report` over scored results files: the class figures in text, Markdown, JSON and the HTML heat
 * map, from a results file whose confusion matrix was worked out by hand (the same 12 rows as
 * test/unit/score-classes.test.ts), and from a run on the emulator whose accuracy is known.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

// expected -> predicted, 12 rows: matrix [[4,1,0,0],[1,2,0,1],[0,0,3,0]] over billing, bug, refund, (other).
const PAIRS = [
  ...Array(4).fill(['billing', 'billing']),
  ['billing', 'bug'],
  ['bug', 'bug'],
  ['bug', 'bug'],
  ['bug', 'billing'],
  ['bug', 'weather'],
  ...Array(3).fill(['refund', 'refund']),
] as Array<[string, string]>;

function scoredFile(dir: string): string {
  const records = PAIRS.map(([expected, predicted], i) => ({
    id: `r${i + 1}`,
    status: 'ok',
    model: 'amazon.nova-micro-v1:0',
    response: predicted,
    input_tokens: 10,
    output_tokens: 2,
    cost_usd: 0.0000005,
    finished_at: '2026-12-06T10:00:00.000Z',
    expected,
    match: String(expected === predicted),
  }));
  // A failed row is no class's: it is left out.
  records.push({ ...records[0], id: 'r13', status: 'error', response: '', match: '' } as (typeof records)[0]);
  writeFileSync(join(dir, 'scored.results.csv'), stringify(records, { header: true }));
  return 'scored.results.csv';
}

describe('report on scored results', () => {
  it('prints per-class figures and the confusion matrix worked out by hand', async () => {
    const dir = workdir();
    const file = scoredFile(dir);
    const json = await runCli(['report', file, '--format', 'json'], { cwd: dir });
    expect(json.code).toBe(0);
    const [classes] = JSON.parse(json.stdout).classes;
    expect(classes.name).toBe('response');
    expect(classes.rows).toBe(12);
    expect(classes.confusion).toEqual({
      expected: ['billing', 'bug', 'refund'],
      predicted: ['billing', 'bug', 'refund', '(other)'],
      matrix: [
        [4, 1, 0, 0],
        [1, 2, 0, 1],
        [0, 0, 3, 0],
      ],
    });
    expect(classes.classes.map((c: { support: number }) => c.support)).toEqual([5, 4, 3]);
    expect(classes.classes[1].precision).toBeCloseTo(2 / 3, 12);
    expect(classes.classes[1].f1).toBeCloseTo(4 / 7, 12);
    expect(classes.macro.f1).toBeCloseTo(83 / 105, 12);
    expect(classes.micro.recall).toBeCloseTo(0.75, 12);

    const text = await runCli(['report', file], { cwd: dir });
    expect(text.stdout).toContain('classes of response (12 scored rows)');
    expect(text.stdout).toMatch(/bug\s+0\.667\s+0\.500\s+0\.571\s+4/);
    expect(text.stdout).toMatch(/macro avg\s+0\.822\s+0\.767\s+0\.790\s+12/);
    expect(text.stdout).toMatch(/bug\s+1\s+2\s+0\s+1\n/);

    const md = await runCli(['report', file, '--format', 'md'], { cwd: dir });
    expect(md.stdout).toContain('| bug | 1 | 2 | 0 | 1 |');
    expect(md.stdout).toContain('| micro avg | 0.818 | 0.750 | 0.783 | 12 |');

    const html = await runCli(['report', file, '--format', 'html', '-o', 'report.html'], { cwd: dir });
    expect(html.code).toBe(0);
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(page).toContain('<table class="confusion" id="confusion-0">');
    // The billing row: 4 of 5 right (deep blue), 1 of 5 said bug (red).
    expect(page).toContain('title="4 of 5 rows expecting billing predicted billing (80.0%)">4</td>');
    expect(page).toContain('title="1 of 4 rows expecting bug predicted (other) (25.0%)">1</td>');
  });

  it('a results file without expected has no class section', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'plain.results.csv'),
      'id,status,model,response,input_tokens,output_tokens,cost_usd\n1,ok,amazon.nova-micro-v1:0,x,1,1,0.000001\n',
    );
    const json = await runCli(['report', 'plain.results.csv', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout).classes).toBeUndefined();
    expect((await runCli(['report', 'plain.results.csv'], { cwd: dir })).stdout).not.toContain('classes');
  });

  it('after a schema run on the emulator: the field is the predicted class, 7 of 10 billing', async () => {
    const dir = workdir();
    const schema = {
      type: 'object',
      required: ['category'],
      properties: { category: { type: 'string', enum: ['billing'] } },
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
    const ran = await runCli(['in.csv', '--json-schema', 'schema.json', '--expect', 'category=label'], {
      cwd: dir,
      env: used.env(),
    });
    expect(ran.code).toBe(0);
    const json = await runCli(['report', 'in.results.csv', '--format', 'json'], { cwd: dir });
    const [classes] = JSON.parse(json.stdout).classes;
    expect(classes.name).toBe('category');
    expect(classes.confusion.matrix).toEqual([
      [7, 0],
      [3, 0],
    ]);
    expect(classes.micro.recall).toBeCloseTo(0.7, 12);
    expect(classes.classes[0]).toMatchObject({ class: 'billing', recall: 1, support: 7 });
    expect(classes.classes[0].precision).toBeCloseTo(0.7, 12);
  });
});
