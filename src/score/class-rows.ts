/**
 * The (expected, predicted) class pairs of one results record, for `report`'s class figures.
 *
 * Which column is the predicted class: with `expected` and `match` (--expect COLUMN), the
 * `response`; with `expected_F` and `match_F` (--expect F=COLUMN and --json-schema), the field F of
 * the answer (`json_F` in CSV, `response_json.F` in JSONL). A row whose match is true is counted as
 * predicting its expected class, whatever --match let through ("Billing." under normalized is
 * "billing"), so the matrix's diagonal is the run's own `match` column. Only scored rows count: an
 * answer and an expected value (match true or false, not empty).
 */
import { cellText } from './scorer.js';

export interface ClassPair {
  /** '' for the whole answer, else the schema field. */
  name: string;
  expected: string;
  predicted: string;
}

function verdict(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

export function classPairs(data: Record<string, unknown>): ClassPair[] {
  const pairs: ClassPair[] = [];
  const add = (name: string, expectedValue: unknown, matchValue: unknown, answer: () => unknown) => {
    const expected = cellText(expectedValue).trim();
    const match = verdict(matchValue);
    if (expected === '' || match === undefined) return;
    pairs.push({ name, expected, predicted: match ? expected : cellText(answer()).trim() });
  };
  if ('expected' in data && 'match' in data) add('', data.expected, data.match, () => data.response);
  for (const key of Object.keys(data)) {
    if (!key.startsWith('expected_')) continue;
    const field = key.slice('expected_'.length);
    if (!(`match_${field}` in data)) continue;
    add(field, data[key], data[`match_${field}`], () => answerField(data, field));
  }
  return pairs;
}

function answerField(data: Record<string, unknown>, field: string): unknown {
  if (`json_${field}` in data) return data[`json_${field}`];
  const json = data.response_json;
  return json !== null && typeof json === 'object' ? (json as Record<string, unknown>)[field] : undefined;
}
