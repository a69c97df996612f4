/**
 * What a Parquet results file and its run share by name: where its rows are journaled while a run
 * goes, and the key-value metadata that says how the file reads back into a journal. Apart from
 * parquet-write.ts so that naming them does not load hyparquet-writer.
 */

/** Where a Parquet results file's rows are journaled while a run goes. No .jsonl extension, so a glob of results files never picks it. */
export function journalPathFor(output: string): string {
  return `${output}.journal`;
}

/** The key of the file's key-value metadata that says how to read it back (parquet-restore.ts). */
export const META_KEY = 'run-batch';

/** What META_KEY holds. */
export interface ParquetMeta {
  version: 1;
  /** The result fields, in order. */
  fields: string[];
  /** `--json-schema`: its top-level properties (the json_* columns, made from `response`). */
  json: string[];
  /** [header, source, is JSON text] per input column. */
  input: Array<[string, string, boolean]>;
}
