/**
 * Everything before the first call: check every row (nothing is sent if one is bad), take the
 * results file's lock, and pick up an existing results file (rows already ok are kept and not sent
 * again; a half-written last row from a crash is cut off) or start a new one with --fresh.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { displayPath } from '../errors.js';
import type { RequestBuilder } from '../input/request.js';
import type { RowSource } from '../input/source.js';
import type { JobSpec } from '../job/spec.js';
import { Journal } from '../output/journal.js';
import { headerText, type Layout, makeLayout, restoreCell } from '../output/layout.js';
import { readExisting } from '../output/resume.js';
import { type RequestCheck, scanInput } from './scan.js';

export interface Prepared {
  rowCount: number;
  largestReservation: number;
  layout: Layout;
  journal: Journal;
  /** 1 for rows already ok in the results file; undefined when starting afresh. */
  done: Uint8Array | undefined;
  /** Rows already ok (kept, not sent again). */
  kept: number;
}

/** Call with the results file's lock held. */
export async function prepare(
  spec: JobSpec,
  source: RowSource,
  build: RequestBuilder,
  context: {
    label: string;
    cwd: string;
    check?: RequestCheck;
    signal?: AbortSignal;
    onWarning?: (message: string) => void;
    onDiskFull?: (message: string) => void;
  },
): Promise<Prepared> {
  const scan = await scanInput(source, build, context.label, context.check, context.signal);
  const layout = makeLayout(
    spec.outputFormat,
    scan.columns,
    spec.stream,
    spec.csvSafe,
    spec.jsonSchema?.properties,
  );
  const header = headerText(layout);
  const outputLabel = displayPath(spec.output, context.cwd);
  removeLeftovers(spec.output);
  const existing =
    !spec.fresh && existsSync(spec.output)
      ? await readExisting(
          spec.output,
          spec.outputFormat,
          header,
          scan.rowCount,
          (id) => scan.indexById.get(id),
          outputLabel,
          spec.csvSafe ? restoreCell : undefined,
        )
      : undefined;
  if (existing && existing.repairedBytes > 0) {
    context.onWarning?.(
      `cut off a half-written last row (${existing.repairedBytes} bytes) left in ${outputLabel} by a crash; ` +
        `the bytes are kept in ${displayPath(`${spec.output}.cut`, context.cwd)}`,
    );
  }
  const journal = new Journal(spec.output, header, scan.rowCount, {
    ...(existing ? { existing } : {}),
    reserveBytes: reserveFor(spec.concurrency),
    ...(context.onDiskFull ? { onDiskFull: context.onDiskFull } : {}),
  });
  return {
    rowCount: scan.rowCount,
    largestReservation: scan.largestReservation,
    layout,
    journal,
    done: existing?.done,
    kept: existing?.ok ?? 0,
  };
}

/** Room for the rows that can be in flight when the disk fills: 64 KiB each, 1 to 64 MiB. */
function reserveFor(concurrency: number): number {
  return Math.min(64 << 20, Math.max(1 << 20, concurrency * (64 << 10)));
}

/**
 * What a killed run leaves beside the results file: its disk-full reserve (up to 64 MiB) and a
 * half-made reordered copy. Safe to remove: the lock is held, and neither holds a row that is not
 * also in the results file.
 */
function removeLeftovers(output: string): void {
  rmSync(`${output}.reserve`, { force: true });
  const dir = dirname(output);
  const stem = basename(output);
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`${stem}.`) && /^\.\d+\.tmp$/.test(name.slice(stem.length)))
      rmSync(join(dir, name), { force: true });
  }
}
