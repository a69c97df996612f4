/**
 * Writes a Parquet results file whole from the run's journal (a JSONL results file in input order,
 * output/journal.ts), in row groups of ROW_GROUP rows: the journal is read line by line and each
 * group's columns are encoded and written before the next group is read, so memory holds one group
 * whatever the row count. The file is written to a temporary name, fsynced and renamed over the
 * target (atomic-write.ts), so a crash at any point leaves the previous file or the new one, never
 * a broken one. hyparquet-writer (pure JavaScript) encodes; snappy, its built-in codec.
 */
import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { commitTemp, tempPathFor } from '../atomic-write.js';
import { answerValue, jsonColumns } from './json-columns.js';
import { column, fieldKind, inputKind, type ParquetColumn, propertyKind } from './parquet-columns.js';

/** Rows per row group: a group's rows and its encoded bytes are what memory holds. */
export const ROW_GROUP = 10_000;

/** The key of the file's key-value metadata that says how to read it back (parquet-restore.ts). */
export const META_KEY = 'run-batch';

export interface ParquetShape {
  /** The result fields, in order (the journal's layout's fields). */
  fields: readonly string[];
  /** `--json-schema`: its top-level properties and the schema (their types). */
  jsonProperties?: readonly string[];
  jsonSchema?: Record<string, unknown>;
  /** Input columns: the name in the file (renamed away from a result field) and in the input. */
  inputColumns: ReadonlyArray<{ header: string; source: string }>;
  /** A Parquet input's top-level schema elements by column (absent: strings). */
  inputTypes?: ReadonlyMap<string, { element: SchemaElement; nested: boolean }>;
}

/** What META_KEY holds. */
export interface ParquetMeta {
  version: 1;
  fields: string[];
  json: string[];
  /** [header, source, is JSON text] per input column. */
  input: Array<[string, string, boolean]>;
}

export function columnsFor(shape: ParquetShape): {
  input: ParquetColumn[];
  fields: ParquetColumn[];
  json: ParquetColumn[];
} {
  const props = (shape.jsonSchema?.properties ?? {}) as Record<string, unknown>;
  return {
    input: shape.inputColumns.map(({ header, source }) => {
      const typed = shape.inputTypes?.get(source);
      return column(header, typed ? inputKind(typed.element, typed.nested) : 'string');
    }),
    fields: shape.fields.map((name) => column(name, fieldKind(name))),
    json: (shape.jsonProperties ?? []).map((name, i) =>
      column(jsonColumns([name])[0] ?? `json_${i}`, propertyKind(props[name])),
    ),
  };
}

/** Writes `target` from the journal; returns the rows written. */
export async function writeParquet(journal: string, target: string, shape: ParquetShape): Promise<number> {
  const { input, fields, json } = columnsFor(shape);
  const all = [...input, ...fields, ...json];
  const meta: ParquetMeta = {
    version: 1,
    fields: [...shape.fields],
    json: [...(shape.jsonProperties ?? [])],
    input: shape.inputColumns.map(({ header, source }, i) => [header, source, input[i]?.json === true]),
  };
  const temp = tempPathFor(target);
  const fd = openSync(temp, 'w');
  let rows = 0;
  try {
    const bytes = new ByteWriter();
    const flush = () => {
      const chunk = new Uint8Array(bytes.buffer, 0, bytes.index);
      for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at, chunk.length - at);
      bytes.index = 0;
    };
    Object.assign(bytes, { flush, finish: flush });
    const writer = new ParquetWriter({
      writer: bytes,
      schema: [{ name: 'root', num_children: all.length }, ...all.map((c) => c.element)],
      kvMetadata: [{ key: META_KEY, value: JSON.stringify(meta) }],
      createdBy: 'run-batch',
    });
    let group: unknown[][] = all.map(() => []);
    const write = () => {
      if ((group[0]?.length ?? 0) === 0) return;
      writer.write({
        columnData: all.map((c, i) => ({ name: c.name, data: group[i] ?? [] })),
        rowGroupSize: ROW_GROUP,
      });
      group = all.map(() => []);
    };
    const lines = createInterface({ input: createReadStream(journal), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as Record<string, unknown>;
      const row = (record.input ?? {}) as Record<string, unknown>;
      const answer =
        json.length > 0 ? answerValue(record as { status: 'ok' | 'error'; response: string }) : undefined;
      const answers = (answer !== null && typeof answer === 'object' ? answer : {}) as Record<
        string,
        unknown
      >;
      let i = 0;
      for (const [k, { source }] of shape.inputColumns.entries())
        group[i++]?.push(input[k]?.value(row[source]));
      for (const c of fields) group[i++]?.push(c.value(record[c.name]));
      for (const [k, name] of (shape.jsonProperties ?? []).entries())
        group[i++]?.push(json[k]?.value(answers[name]));
      rows++;
      if (rows % ROW_GROUP === 0) write();
    }
    write();
    writer.finish();
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    commitTemp(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return rows;
}
