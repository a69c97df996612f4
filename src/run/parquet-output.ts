/**
 * A Parquet results file in a run: the run journals its rows as a JSONL results file beside it
 * (`<output>.journal`, crash-safe as every results file is), picks that journal up on resume (made
 * again from the Parquet file when a finished run left none: output/parquet-restore.ts), and writes
 * the Parquet file whole from it once the journal is finished in input order
 * (output/parquet-write.ts), then removes the journal. A run stopped hard (the journal not put in
 * order) leaves the journal for the next run and the previous Parquet file as it was.
 */
import { existsSync, rmSync } from 'node:fs';
import { displayPath } from '../errors.js';
import { parquetFooter, parquetSource } from '../input/parquet.js';
import type { JobSpec } from '../job/spec.js';
import { moveAside } from '../output/aside.js';
import { headerNamesFor, type Layout } from '../output/layout.js';
import { journalPathFor, restoreJournal } from '../output/parquet-restore.js';
import { writeParquet } from '../output/parquet-write.js';
import type { RowPlan } from '../plan/plan.js';

export interface ParquetOutput {
  /** The spec the results file is prepared with: its output is the journal, in JSONL. */
  journalSpec: JobSpec;
  /** Before the results file is prepared: the journal made from the Parquet file if needed. */
  restore(): Promise<void>;
  /** After the journal is finished in input order: the Parquet file, then no journal. */
  write(layout: Layout, plan: RowPlan, inputPath: string): Promise<number>;
}

export function parquetOutput(
  spec: JobSpec,
  cwd: string,
  onMoved?: (message: string) => void,
  onWarning?: (message: string) => void,
): ParquetOutput | undefined {
  if (spec.outputFormat !== 'parquet') return undefined;
  const output = spec.output;
  const journal = journalPathFor(output);
  const label = displayPath(output, cwd);
  return {
    journalSpec: { ...spec, output: journal, outputFormat: 'jsonl' },
    async restore() {
      if (spec.fresh) return;
      await restoreJournal(output, label, async () => {
        const footer = await parquetFooter(output, label);
        return { keyValues: footer.keyValues, rows: parquetSource(output, label).rows() };
      });
    },
    async write(layout, plan, inputPath) {
      if (!existsSync(journal)) return 0;
      const headers = headerNamesFor(plan.columns, layout.fields);
      const inputTypes =
        spec.inputFormat === 'parquet' ? (await parquetFooter(inputPath, plan.label)).columns : undefined;
      // --fresh: the Parquet file of before is kept aside, as a CSV results file would be.
      if (spec.fresh && existsSync(output)) {
        const aside = moveAside(output);
        onMoved?.(`--fresh: the previous results are kept in ${displayPath(aside, cwd)}`);
      }
      try {
        const rows = await writeParquet(journal, output, {
          fields: layout.fields,
          ...(layout.jsonProperties ? { jsonProperties: layout.jsonProperties } : {}),
          ...(spec.jsonSchema ? { jsonSchema: spec.jsonSchema.schema } : {}),
          inputColumns: plan.columns.map((source, i) => ({ header: headers[i] ?? source, source })),
          ...(inputTypes ? { inputTypes } : {}),
        });
        rmSync(journal, { force: true });
        return rows;
      } catch (error) {
        // Every answer is still in the journal: the next run writes the file from it.
        onWarning?.(
          `cannot write ${label}: ${(error as Error).message}; every finished row is in ${displayPath(journal, cwd)}, ` +
            'and the next run writes the Parquet file from it',
        );
        return 0;
      }
    },
  };
}
