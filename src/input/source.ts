/** The choice of reader by format. */
import type { Format } from '../job/spec.js';
import { csvSource } from './csv.js';
import { jsonlSource } from './jsonl.js';
import type { RowSource } from './row.js';

export type { InputRow, RowSource } from './row.js';

export function openSource(path: string, format: Format, label = path): RowSource {
  return format === 'csv' ? csvSource(path, label) : jsonlSource(path, label);
}
