/**
 * A results file every CSV reader splits the same way (Python's csv module checks it): a bare CR
 * in a cell quoted, unique headers when input columns clash with result fields, and cost_usd in
 * plain decimals, never exponent form.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerText, makeLayout, plainNumber, recordText } from '../../src/output/layout.js';
import type { ResultRecord } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'safety-output-'));

function record(over: Partial<ResultRecord> = {}): ResultRecord {
  return {
    id: '1',
    status: 'ok',
    model: 'm',
    response: 'answer',
    stop_reason: 'end_turn',
    input_tokens: 1,
    output_tokens: 2,
    total_tokens: 3,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 2.5e-7,
    latency_ms: 5,
    attempts: 1,
    finished_at: '2026-12-01T00:00:00.000Z',
    error_code: '',
    error_message: '',
    request_hash: '',
    ...over,
  };
}

/** Python's csv module, the strictest common reader: the rows as it splits them. */
function pythonRows(path: string): string[][] {
  const script = 'import csv,json,sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1],newline="")))))';
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as string[][];
}

describe('a bare CR in a cell', () => {
  it.each([true, false])('is quoted, so Python reads one row per record (csv-safe %s)', (csvSafe) => {
    const layout = makeLayout('csv', ['prompt', 'note'], false, csvSafe);
    const path = join(dir, `cr-${csvSafe}.csv`);
    writeFileSync(
      path,
      headerText(layout) +
        recordText(layout, record({ id: '1', response: 'one\rtwo' }), { prompt: 'a\rb', note: 'x' }) +
        recordText(layout, record({ id: '2', response: 'end\r' }), { prompt: 'c', note: '\r' }),
    );
    const rows = pythonRows(path);
    expect(rows).toHaveLength(3);
    expect(rows[1]?.slice(0, 2)).toEqual(['a\rb', 'x']);
    expect(rows[1]?.[5]).toBe('one\rtwo');
    expect(rows[2]?.[1]).toBe(csvSafe ? "'\r" : '\r');
    expect(rows[2]?.[5]).toBe('end\r');
  });
});

describe('input columns that clash with result fields', () => {
  it('status and input_status give two different headers', () => {
    const layout = makeLayout('csv', ['prompt', 'status', 'input_status'], false);
    expect(layout.inputColumns).toEqual(['prompt', 'input_input_status', 'input_status']);
    const header = headerText(layout).trim().split(',');
    expect(new Set(header).size).toBe(header.length);
  });

  it('each header keeps its own column values', () => {
    const layout = makeLayout('csv', ['prompt', 'status', 'input_status', 'id'], false);
    const path = join(dir, 'clash.csv');
    writeFileSync(
      path,
      headerText(layout) +
        recordText(layout, record(), { prompt: 'p', status: 'S', input_status: 'IS', id: 'I' }),
    );
    const [header, row] = pythonRows(path);
    const cell = (name: string) => row?.[header?.indexOf(name) ?? -1];
    expect([cell('input_input_status'), cell('input_status'), cell('input_id'), cell('status')]).toEqual([
      'S',
      'IS',
      'I',
      'ok',
    ]);
  });
});

describe('cost_usd never in exponent form', () => {
  it.each([
    [2.5e-7, '0.00000025'],
    [1e-12, '0.000000000001'],
    [0.000136, '0.000136'],
    [1.5e21, '1500000000000000000000'],
    [-3.2e-8, '-0.000000032'],
    [12.5, '12.5'],
    [0, '0'],
  ])('%d -> %s', (n, text) => {
    expect(plainNumber(n)).toBe(text);
    expect(Number(plainNumber(n))).toBe(n);
  });

  it('in CSV and JSONL records', () => {
    const csv = makeLayout('csv', ['prompt'], false);
    expect(recordText(csv, record(), { prompt: 'p' })).toContain(',0.00000025,');
    const jsonl = makeLayout('jsonl', ['prompt'], false);
    const line = recordText(jsonl, record(), { prompt: 'p', n: 1e-9 });
    expect(line).toContain('"cost_usd":0.00000025,');
    expect(line.slice(0, line.indexOf('"input"'))).not.toMatch(/\de[-+]\d/);
    expect(JSON.parse(line)).toMatchObject({ cost_usd: 2.5e-7, input: { prompt: 'p', n: 1e-9 } });
  });
});
