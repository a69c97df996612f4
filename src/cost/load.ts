/**
 * Reads a `--pricing FILE` (JSON, or YAML by its .yaml/.yml extension) and lays it over the shipped
 * table. A file that cannot be read or parsed, or holds a bad entry, is a CONFIG error (exit 2)
 * naming the file and what is wrong; nothing is sent.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RunBatchError } from '../errors.js';
import { mergeTables, type PriceTable, parsePriceTable, shippedTable } from './table.js';

/** The shipped table, with the file's entries over it when one is given. */
export function loadPriceTable(file?: string, label = file): PriceTable {
  const base = shippedTable();
  if (file === undefined) return base;
  const name = label ?? file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new RunBatchError('CONFIG', `--pricing ${name}: cannot read: ${reason}`, { cause: error });
  }
  return mergeTables(base, parsePriceTable(parseText(text, file, name), `--pricing ${name}`), name);
}

function parseText(text: string, file: string, name: string): unknown {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text);
    return JSON.parse(text);
  } catch (error) {
    const kind = ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON';
    const detail = (error as Error).message.split('\n')[0];
    throw new RunBatchError('CONFIG', `--pricing ${name}: not valid ${kind}: ${detail}`, { cause: error });
  }
}
