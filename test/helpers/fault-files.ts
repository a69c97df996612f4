/** Reading a results file back for the fault harness, tolerant enough to report what is wrong. */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

function records(path: string, format: 'csv' | 'jsonl'): Array<Record<string, unknown>> {
  const text = readFileSync(path, 'utf8');
  if (format === 'csv')
    return parse(text, { columns: true, relax_column_count: true }) as Array<Record<string, unknown>>;
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export function idsIn(path: string, format: 'csv' | 'jsonl', violations: string[], where: string): string[] {
  try {
    return records(path, format).map((r) => String(r.id));
  } catch (error) {
    violations.push(`${where}: the results file does not parse: ${(error as Error).message.split('\n')[0]}`);
    return [];
  }
}

export function statusesIn(path: string, format: 'csv' | 'jsonl'): string[] {
  try {
    return records(path, format).map((r) => String(r.status));
  } catch {
    return ['unparseable'];
  }
}

export function lastLines(text: string): string {
  return text.trim().split('\n').slice(-2).join(' / ').slice(0, 300);
}
