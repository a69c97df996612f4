/**
 * Reads a Parquet file as rows, one row group at a time (hyparquet, pure JavaScript): memory holds
 * the footer and one row group's rows, never the whole file, so a 1,000,000-row input reads in the
 * memory of its biggest row group. A row's `line` is its 1-based row number, which is what messages
 * name (`tickets.parquet:42: ...`). Values keep their types for templates and overrides: numbers and
 * booleans stay numbers and booleans, nested columns (structs, lists, maps) are JSON values, as in
 * a JSONL input (parquet-values.ts says how each Parquet type reads).
 */
import { open } from 'node:fs/promises';
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  type SchemaElement,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { RunBatchError } from '../errors.js';
import { PARSERS, plainRow } from './parquet-values.js';
import { type InputRow, type RowSource, readError } from './row.js';

/** The first 4 bytes of every Parquet file, and its last 4. */
const MAGIC = 'PAR1';

export function parquetSource(path: string, label = path): RowSource {
  let columns: string[] = [];
  return {
    columns: () => columns,
    async *rows(): AsyncIterable<InputRow> {
      const file = await openFile(path, label);
      try {
        const metadata = await readFooter(file.buffer, label);
        columns = topColumns(metadata);
        const decimals = decimalScales(metadata);
        let index = 0;
        for (const [group, rowGroup] of metadata.row_groups.entries()) {
          const rowStart = index;
          const rowEnd = rowStart + Number(rowGroup.num_rows);
          const objects = await readGroup(file.buffer, metadata, rowStart, rowEnd, label, group);
          for (const object of objects) {
            const line = index + 1;
            yield { index: index++, line, data: plainRow(object, columns, decimals) };
          }
        }
      } finally {
        await file.close();
      }
    },
  };
}

export interface ParquetFooter {
  /** Top-level columns: their schema element, and whether they are nested (struct, list, map). */
  columns: Map<string, { element: SchemaElement; nested: boolean }>;
  /** The file's key-value metadata. */
  keyValues: Map<string, string>;
}

/** The footer of a Parquet file: its columns' types and its key-value metadata. */
export async function parquetFooter(path: string, label = path): Promise<ParquetFooter> {
  const file = await openFile(path, label);
  try {
    const metadata = await readFooter(file.buffer, label);
    const columns = new Map<string, { element: SchemaElement; nested: boolean }>();
    let at = 1;
    for (const name of topColumns(metadata)) {
      const element = metadata.schema[at] as SchemaElement;
      columns.set(name, { element, nested: (element.num_children ?? 0) > 0 });
      at = skip(metadata, at);
    }
    const keyValues = new Map<string, string>();
    for (const { key, value } of metadata.key_value_metadata ?? []) keyValues.set(key, value ?? '');
    return { columns, keyValues };
  } finally {
    await file.close();
  }
}

/** The column names of a Parquet file (the top level: a struct is one column). */
export function topColumns(metadata: FileMetaData): string[] {
  const root = metadata.schema[0];
  const names: string[] = [];
  // Children are listed depth-first after their parent: skip each top column's descendants.
  let at = 1;
  for (let n = 0; n < (root?.num_children ?? 0); n++) {
    const element = metadata.schema[at];
    if (!element) break;
    names.push(element.name);
    at = skip(metadata, at);
  }
  return names;
}

/** The scale of each top-level DECIMAL column. */
function decimalScales(metadata: FileMetaData): Map<string, number> {
  const scales = new Map<string, number>();
  for (const element of metadata.schema.slice(1)) {
    const isDecimal = element.converted_type === 'DECIMAL' || element.logical_type?.type === 'DECIMAL';
    if (isDecimal && !element.num_children) scales.set(element.name, element.scale ?? 0);
  }
  return scales;
}

function skip(metadata: FileMetaData, at: number): number {
  const children = metadata.schema[at]?.num_children ?? 0;
  let next = at + 1;
  for (let i = 0; i < children; i++) next = skip(metadata, next);
  return next;
}

interface OpenFile {
  buffer: AsyncBuffer;
  close(): Promise<void>;
}

/**
 * The file as hyparquet's AsyncBuffer over one open handle: each slice is one positioned read
 * (hyparquet's own asyncBufferFromFile opens a stream per slice).
 */
async function openFile(path: string, label: string): Promise<OpenFile> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(label, error);
  }
  const { size } = await handle.stat();
  return {
    buffer: {
      byteLength: size,
      async slice(start: number, end?: number): Promise<ArrayBuffer> {
        const stop = Math.min(end ?? size, size);
        const bytes = Buffer.alloc(Math.max(0, stop - start));
        let done = 0;
        while (done < bytes.length) {
          const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
      },
    },
    close: () => handle.close(),
  };
}

async function readFooter(file: AsyncBuffer, label: string): Promise<FileMetaData> {
  const head = Buffer.from(await file.slice(0, Math.min(4, file.byteLength))).toString('latin1');
  if (head !== MAGIC)
    throw damaged(label, 'it does not start with PAR1 (not a Parquet file, or not a whole one)');
  try {
    return await parquetMetadataAsync(file, { parsers: PARSERS });
  } catch (error) {
    throw damaged(label, (error as Error).message, error);
  }
}

async function readGroup(
  file: AsyncBuffer,
  metadata: FileMetaData,
  rowStart: number,
  rowEnd: number,
  label: string,
  group: number,
): Promise<Record<string, unknown>[]> {
  if (rowEnd <= rowStart) return [];
  try {
    return await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors, parsers: PARSERS });
  } catch (error) {
    throw damaged(
      label,
      `row group ${group + 1} (rows ${rowStart + 1}-${rowEnd}): ${(error as Error).message}`,
      error,
    );
  }
}

function damaged(label: string, detail: string, cause?: unknown): RunBatchError {
  return new RunBatchError(
    'INPUT',
    `${label}: cannot be read as Parquet: ${detail}; check the file is complete (a copy cut short loses its footer)`,
    cause === undefined ? {} : { cause },
  );
}
