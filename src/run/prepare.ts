/**
 * The results file before the first call (the lock is held): pick up an existing results file
 * (rows already ok, and still asking what they asked, are kept and not sent again; a half-written
 * last row from a crash is cut off; damage elsewhere is refused), or, with --fresh, set up to
 * replace it once the first new row is written.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { LEVER_FIELDS, leverFields } from '../cost/levers.js';
import { displayPath } from '../errors.js';
import { lookalikeColumns } from '../input/source.js';
import type { JobSpec } from '../job/spec.js';
import { isJudgeField, JUDGE_FIELDS } from '../judge/fields.js';
import { addColumns, csvHeaderNames, jsonlFieldNames } from '../output/add-columns.js';
import { Journal } from '../output/journal.js';
import { headerText, type Layout, makeLayout, restoreCell } from '../output/layout.js';
import { isDevice } from '../output/lock.js';
import { NeedsV1, NotAView, readExisting } from '../output/resume.js';
import type { RowPlan } from '../plan/plan.js';
import { isScoreField, type Scorer } from '../score/scorer.js';
import { LEDGER_FIELDS } from '../types.js';
import { adoptAnswers, moveAside } from './rebuild.js';
import type { RunLedger } from './run-ledger.js';

export interface Prepared {
  layout: Layout;
  journal: Journal;
  /** 1 for rows already ok in the results file; undefined when starting afresh. */
  alreadyOk: Uint8Array | undefined;
  /** Rows already ok (kept, not sent again). */
  kept: number;
  /** Ok rows whose request changed since they were answered: they run again. */
  changed: number;
  /** Rows of an old results file whose ids are no longer in the input (dropped in a rebuild). */
  dropped: number;
}

export interface PrepareContext {
  cwd: string;
  onWarning?: (message: string) => void;
  /** Where one of the user's files went (kept aside, cut off): past any --quiet. Default: onWarning. */
  onMoved?: (message: string) => void;
  onDiskFull?: (message: string) => void;
  /** The answer ledger: a results file that no longer fits the input is rebuilt from it. */
  ledger?: RunLedger;
  /** `--expect`: its fields are written, and every record written is scored (score/scorer.ts). */
  scorer?: Scorer;
  /** `--judge`: its fields are written (judge/fields.ts). */
  judged?: boolean;
}

export async function prepareOutput(
  spec: JobSpec,
  plan: RowPlan,
  context: PrepareContext,
): Promise<Prepared> {
  const label = displayPath(spec.output, context.cwd);
  const warn = context.onWarning ?? (() => {});
  const moved = context.onMoved ?? warn;
  // A results file picked up keeps the cost levers' columns it has, even with the lever off now.
  const prior =
    spec.outputFormat === 'csv' && !spec.fresh && existsSync(spec.output)
      ? csvHeaderNames(spec.output)
      : undefined;
  // The answer ledger's fields (reused, paid_usd) are always written; a file from before them gets
  // them added, as a lever's.
  const scored = [...(context.scorer?.fields ?? []), ...(context.judged ? JUDGE_FIELDS : [])];
  const wanted = [...LEDGER_FIELDS, ...leverFields(spec, plan.columns), ...scored];
  // Score fields an earlier run wrote stay too (not an input column of the same name), in every
  // format: a JSONL results file (a Parquet one's journal too) names them in its records.
  const priorFields =
    prior ??
    (spec.outputFormat === 'jsonl' && !spec.fresh && existsSync(spec.output)
      ? jsonlFieldNames(spec.output)
      : undefined);
  const priorScored = (priorFields ?? []).filter(
    (f) => (isScoreField(f) || isJudgeField(f)) && !plan.columns.includes(f),
  );
  const levers = [...LEDGER_FIELDS, ...LEVER_FIELDS, ...scored, ...priorScored].filter(
    (f, i, all) =>
      all.indexOf(f) === i && (wanted.includes(f) || prior?.includes(f) || priorScored.includes(f)),
  );
  const score = context.scorer?.score;
  const layoutWith = (fields: readonly string[]): Layout => ({
    ...makeLayout(
      spec.outputFormat,
      plan.columns,
      spec.stream,
      spec.csvSafe,
      fields,
      spec.jsonSchema?.properties,
    ),
    ...(score ? { score } : {}),
  });
  const layout = layoutWith(levers);
  const header = headerText(layout);
  if (prior) await addLeverColumns(spec.output, prior, levers, layoutWith, header, label, moved);
  for (const note of lookalikeColumns(plan.columns, plan.label)) warn(note);
  const device = isDevice(spec.output);
  if (!device) removeLeftovers(spec.output);
  const read = () =>
    readExisting(spec.output, {
      format: spec.outputFormat,
      header,
      rowCount: plan.rowCount,
      indexOf: (id) => plan.indexById.get(id),
      fingerprintAt: plan.fingerprintAt,
      fingerprintV1At: plan.fingerprintV1At,
      keepChanged: spec.keepChanged,
      label,
      ...(spec.csvSafe ? { restore: restoreCell } : {}),
    });
  let dropped = 0;
  let existing: Awaited<ReturnType<typeof read>> | undefined;
  try {
    existing = !spec.fresh && existsSync(spec.output) ? await readWithV1(read, plan) : undefined;
  } catch (error) {
    if (!(error instanceof NotAView) || !context.ledger?.ledger) throw error;
    // Not a view of this input any more: its answers go to the ledger, the file aside, and the
    // run writes it anew from the ledger (no call for any answer it held).
    const adoption = await adoptAnswers(spec.output, spec.outputFormat, spec.csvSafe, plan, context.ledger);
    const aside = moveAside(spec.output);
    dropped = adoption.dropped;
    moved(
      `${label} ${error.why === 'strays' ? `has ${adoption.dropped} ${adoption.dropped === 1 ? 'row' : 'rows'} no longer in the input` : "has other columns than this run writes (the input's columns or --stream changed)"}: ` +
        `rebuilt from the answer ledger with no call for the answers it held (${adoption.adopted} taken into the ledger now); the old file is kept in ${displayPath(aside, context.cwd)}`,
    );
  }
  if (existing && existing.repairedBytes > 0) {
    moved(
      `cut off a half-written last row (${existing.repairedBytes} bytes) left in ${label} by a crash; ` +
        `the bytes are kept in ${displayPath(`${spec.output}.cut`, context.cwd)}`,
    );
  }
  if (existing && existing.changed > 0) {
    warn(
      `${existing.changed} ${existing.changed === 1 ? 'row asks' : 'rows ask'} something else than when ${label} ` +
        'answered them (prompt, model or settings changed): they run again (--keep-changed keeps the old answers)',
    );
  }
  const journal = new Journal(spec.output, header, plan.rowCount, {
    ...(existing ? { existing } : {}),
    // -o /dev/null: no disk-full reserve beside a device.
    reserveBytes: device ? 0 : reserveFor(spec.concurrency),
    ...(context.onDiskFull ? { onDiskFull: context.onDiskFull } : {}),
    replace: spec.fresh,
    onReplaced: (previous) =>
      moved(`--fresh: the previous results are kept in ${displayPath(previous, context.cwd)}`),
  });
  return {
    layout,
    journal,
    alreadyOk: existing?.alreadyOk,
    kept: existing?.ok ?? 0,
    changed: existing?.changed ?? 0,
    dropped,
  };
}

/**
 * A results file written before fingerprint version 2 is compared with version 1 of the function
 * (computed from the input on demand, once), so its answers are kept on upgrade, not paid again.
 */
async function readWithV1<T>(read: () => Promise<T>, plan: RowPlan): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof NeedsV1)) throw error;
    await plan.loadV1();
    return await read();
  }
}

/** Room for the rows that can be in flight when the disk fills: 64 KiB each, 1 to 64 MiB. */
function reserveFor(concurrency: number): number {
  return Math.min(64 << 20, Math.max(1 << 20, concurrency * (64 << 10)));
}

/**
 * A lever turned on since the results file was written: its columns are added to the file (the
 * answers in it are kept, not paid again), when the file is otherwise what this run writes.
 */
async function addLeverColumns(
  output: string,
  prior: string[],
  levers: readonly string[],
  layoutWith: (fields: readonly string[]) => Layout,
  header: string,
  label: string,
  warn: (message: string) => void,
): Promise<void> {
  const missing = levers.filter((f) => !prior.includes(f));
  if (missing.length === 0) return;
  const older = parseCsv(headerText(layoutWith(levers.filter((f) => prior.includes(f)))))[0];
  if (JSON.stringify(older) !== JSON.stringify(prior)) return;
  // A guardrail changes what every row asks (its fingerprint): those rows run again, and say so;
  // score fields leave every answer as it was (they are scored as they are written again).
  const kept = missing.some((f) => f.startsWith('guardrail_'))
    ? ''
    : 'its answers are kept, not sent again; ';
  if (await addColumns(output, header))
    warn(
      `added the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} to ${label} ` +
        `(${kept}the file as it was is ${label}.before-columns)`,
    );
}

/**
 * What a run killed or stopped by a full disk leaves beside the results file: its disk-full reserve
 * (up to 64 MiB) and the temporary files of its atomic writes (atomic-write.ts names them
 * `<file>.<pid>.tmp`): a half-made reordered copy of the results, of the summary, of the batch
 * state. Safe to remove: the lock is held, every one of those files is written only under it, and
 * none holds a row that is not also in the results file. Only these names: another file's
 * temporary files in the same directory are not this run's to touch.
 */
const LEFTOVER_TMP = /^(\.summary\.json|\.batch\.json)?\.\d+\.tmp$/;

function removeLeftovers(output: string): void {
  rmSync(`${output}.reserve`, { force: true });
  const dir = dirname(output);
  const stem = basename(output);
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`${stem}.`) && LEFTOVER_TMP.test(name.slice(stem.length)))
      rmSync(join(dir, name), { force: true });
  }
}
