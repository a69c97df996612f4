import type { ResolvedProfile } from '../bedrock/inference-profile-arn.js';
import { Pricer } from '../cost/cost.js';
import { loadPriceTable } from '../cost/load.js';
import type { PriceTable } from '../cost/table.js';
import { Budget } from '../engines/budget.js';
import type { BatchStats } from '../engines/engine.js';
import { Stopper } from '../engines/stopper.js';
import { displayPath, ExitCode } from '../errors.js';
import type { JobSpec } from '../job/spec.js';
import { judgeTotals, openJudge, type RunJudge } from '../judge/open.js';
import { type Layout, recordText, resultFieldsOf } from '../output/layout.js';
import { rowChecks } from '../plan/checks.js';
import { type PlannedRow, planRows, type RowPlan } from '../plan/plan.js';
import { shardLabel } from '../plan/shard.js';
import { spoolIfOnceOnly } from '../plan/spool.js';
import { redactor } from '../redact.js';
import { checkExpectColumns, makeScorer } from '../score/scorer.js';
import type { ResultRecord } from '../types.js';
import { attribute, profileSummary } from './attribution.js';
import type { RunDeps } from './deps.js';
import { FailureGuard } from './guard.js';
import { withJudge } from './judge-summary.js';
import { openEngine } from './open-engine.js';
import { parquetOutput } from './parquet-output.js';
import { type Prepared, prepareOutput } from './prepare.js';
import { ReuseRows } from './reuse-rows.js';
import { refuseInputAsOutput, refuseModelColumn } from './run-checks.js';
import { RunLedger } from './run-ledger.js';
import { etagOption } from './s3-etags.js';
import { resultSink, type SinkParts } from './sink.js';
import { accuracyOf, type RunSummary, Tally } from './summary.js';

export async function execute(spec: JobSpec, deps: RunDeps, startedAt: Date): Promise<RunSummary> {
  const cwd = deps.cwd ?? process.cwd();
  const label = displayPath(spec.input, cwd);
  refuseInputAsOutput(spec, cwd);
  const prices = loadPriceTable(spec.pricing, spec.pricing && displayPath(spec.pricing, cwd));
  const stopper = new Stopper(spec.graceMs);
  const unlisten = listen(deps, stopper);
  const input = await spoolIfOnceOnly(spec.input, label, deps.softStop);
  let ledger: RunLedger | undefined;
  try {
    ledger = RunLedger.open(spec, deps.onWarning);
    const scorer = makeScorer(spec);
    const checks = rowChecks(spec, prices, deps.onWarning);
    const plan = await planRows(spec, {
      path: input.path,
      label,
      // A bad --match regex pattern or number in an expected cell is the row's problem, found now.
      check: scorer ? (request) => checks(request) ?? scorer.problem(request.row) : checks,
      ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
      ...(deps.softStop ? { signal: deps.softStop } : {}),
      ...etagOption(spec, deps.env ?? process.env),
    });
    checkExpectColumns(scorer, plan.columns, label);
    refuseModelColumn(deps.shared?.models, plan.columns, label);
    const parquet = parquetOutput(spec, cwd, deps.onMoved ?? deps.onWarning, deps.onWarning);
    await parquet?.restore();
    const output = await prepareOutput(parquet?.journalSpec ?? spec, plan, {
      cwd,
      ...(scorer ? { scorer } : {}),
      judged: spec.judge !== undefined,
      onDiskFull: (message) =>
        stopper.stop(
          'soft',
          'disk-full',
          `${message}: stopped admitting rows; free some space and run again`,
        ),
      ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
      ...(deps.onMoved ? { onMoved: deps.onMoved } : {}),
      ledger,
    });
    // Only matching the results file's rows needed the ids: 200,000 of them are megabytes the run
    // would otherwise carry to its end.
    plan.indexById.clear();
    const tally = new Tally();
    tally.skipped = output.kept;
    tally.changed = output.changed;
    tally.dropped = output.dropped;
    // A setup error found now (--guardrail unknown, too few rows for --mode batch, no credentials)
    // leaves no disk-full reserve behind.
    // A throttle moves the progress count when it happens, not when its row finishes at last.
    let report: (() => void) | undefined;
    const engineDeps: RunDeps = {
      ...deps,
      onAttempt: (row, event) => {
        deps.onAttempt?.(row, event);
        if (event.type === 'failed' && event.failure.throttle) report?.();
      },
    };
    const resolved: { profile?: ResolvedProfile } = {};
    const engine = await openEngine(spec, engineDeps, plan, stopper, plan.rowCount - output.kept, {
      runId: ledger.runId,
      onProfile: (profile) => {
        resolved.profile = profile;
      },
    }).catch((error) => {
      output.journal.close();
      throw error;
    });
    report = () => deps.onProgress?.(tally.progress(plan.rowCount, engine.stats));
    // Several models at once: one --max-cost for them all.
    const budget = deps.shared
      ? deps.shared.budget
      : spec.maxCost === undefined
        ? undefined
        : new Budget(spec.maxCost, prices);
    let judge: RunJudge | undefined;
    try {
      attribute(spec, prices, output, resolved.profile, deps);
      judge = openJudge(spec, {
        client: engine.client,
        stopper,
        budget,
        prices,
        ledger,
        output,
        redact: redactor(deps.env ?? process.env),
        // --tag, and run_id and row_id unless --no-request-metadata, as open-engine.ts stamps the answers.
        metadata: {
          tags: spec.tags ?? {},
          ...(spec.requestMetadata !== false && ledger.runId ? { runId: ledger.runId } : {}),
        },
        ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
      });
      const onFinished = (record: ResultRecord) => {
        deps.onRecord?.(record);
        report?.();
      };
      // In-run deduplication waits for a leader's answer: only the on-demand engine answers rows
      // while it reads more (the batch engine reads them all first). --no-reuse turns it off too.
      const reuse = new ReuseRows(
        ledger,
        ledger.reuse && spec.batch.mode === 'ondemand' && !spec.batch.cancel,
      );
      const sink = sinkFor(spec, deps, {
        output,
        prices,
        tally,
        stopper,
        onFinished,
        ledger,
        onSettled: (row, entry) => reuse.settled(row, entry),
        ...(judge ? { onWritten: judge.written } : {}),
      });
      reuse.attach(sink);
      // A kept answer keeps the labels of the run that bought it (request_tags, profile_tags):
      // this run's --tag would move its spend to another team in `report --by tag:KEY`.
      const keptLayout = { ...output.layout };
      delete keptLayout.constants;
      const rows = reuse.rows(plan, output.alreadyOk, stopper, (row) => {
        refreshKept(output, keptLayout, row, deps);
        engine.keep?.(row);
        judge?.keep(row);
      });
      try {
        await engine.run({ rows, sink, stopper, ...(budget ? { budget } : {}) });
      } finally {
        sink.flush(); // the last answers' commit, and their rows, before the journal closes
      }
      await judge?.judge.drain(); // the last verdicts, before the journal is put in order
      // A stopped run also leaves its rows in input order; only a hard stop skips the rewrite.
      if (stopper.hard.aborted) output.journal.close();
      else if (finishJournal(output.journal, deps)) await parquet?.write(output.layout, plan, input.path);
    } catch (error) {
      stopper.stop('hard', 'error', (error as Error).message);
      output.journal.close();
      throw error;
    } finally {
      await judge?.judge.close();
      await engine.close();
    }
    tally.attempts = engine.stats.attempts;
    tally.throttles = engine.stats.throttles;
    const summary = summarize(spec, plan, tally, stopper, startedAt, engine.stats.batch);
    if (resolved.profile) summary.profile = profileSummary(resolved.profile);
    if (Object.keys(spec.tags ?? {}).length > 0) summary.tags = spec.tags;
    if (scorer) summary.score = accuracyOf(scorer.tally());
    if (judge) withJudge(summary, judgeTotals(judge.model, judge.judge.stats), stopper);
    return summary;
  } finally {
    ledger?.close();
    input.dispose();
    unlisten();
    stopper.dispose();
  }
}

function sinkFor(
  spec: JobSpec,
  deps: RunDeps,
  parts: {
    output: Prepared;
    prices: PriceTable;
    tally: Tally;
    stopper: Stopper;
    onFinished: (record: ResultRecord) => void;
    ledger: RunLedger;
    onSettled: NonNullable<SinkParts['onSettled']>;
    onWritten?: SinkParts['onWritten'];
  },
) {
  return resultSink({
    layout: parts.output.layout,
    journal: parts.output.journal,
    pricer: new Pricer(parts.prices, deps.onWarning),
    redact: redactor(deps.env ?? process.env),
    tally: parts.tally,
    guard: new FailureGuard(spec.maxErrors, spec.concurrency),
    stopper: parts.stopper,
    streaming: spec.stream,
    onFinished: parts.onFinished,
    ledger: parts.ledger,
    // On-demand, a kill then loses at most --concurrency answered calls beside those in flight
    // (several models share that slot count, so share this too); batch mode hands on a job's
    // records at once, and S3 still holds them after a kill.
    ...(spec.batch.mode === 'batch'
      ? {}
      : { commitLimit: Math.ceil(spec.concurrency / (deps.shared?.models.length ?? 1)) }),
    onSettled: parts.onSettled,
    ...(parts.onWritten ? { onWritten: parts.onWritten } : {}),
    ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
    ...(deps.onUnwritten ? { onUnwritten: deps.onUnwritten } : {}),
  });
}

/**
 * A kept answer is written again beside the current input's columns when they changed (a column
 * the prompt does not use was edited), so the results never show stale input. Best effort: a
 * record that cannot be rewritten stays as it was. `layout` is the results file's without this run's
 * constant fields.
 */
function refreshKept(output: Prepared, layout: Layout, row: PlannedRow, deps: RunDeps): void {
  try {
    const old = output.journal.recordAt(row.request.index)?.toString('utf8');
    if (old === undefined) return;
    const text = recordText(layout, resultFieldsOf(output.layout, old), row.request.row);
    if (text !== old) output.journal.append(row.request.index, text);
  } catch (error) {
    deps.onWarning?.(
      `row ${row.request.id}: could not refresh its input columns: ${(error as Error).message}`,
    );
  }
}

function summarize(
  spec: JobSpec,
  plan: RowPlan,
  tally: Tally,
  stopper: Stopper,
  startedAt: Date,
  batch?: BatchStats,
): RunSummary {
  const notRun = plan.rowCount - tally.ok - tally.error - tally.skipped - tally.reused;
  // Rows left undone always mean "run again" (exit 3), whatever left them; a stop that left nothing
  // undone (the last row tripped --max-errors, a signal after the end) is a finished run.
  if (notRun > 0 && !stopper.stopped) stopper.stop('soft', 'rows-not-run', `${notRun} rows were not run`);
  // Rows left only with batch jobs running on purpose (--no-wait): 5, "come back later", not 3.
  const stopped = batch !== undefined && batch.waiting === notRun ? ExitCode.BatchRunning : ExitCode.Stopped;
  const exitCode = notRun > 0 ? stopped : tally.error > 0 ? ExitCode.RowsFailed : ExitCode.Ok;
  const summary = tally.summarize({
    input: spec.input,
    output: spec.output,
    total: plan.rowCount,
    startedAt,
    finishedAt: new Date(),
    exitCode,
    ...(notRun > 0 && stopper.cause !== undefined ? { stop: stopper.cause } : {}),
  });
  if (spec.shard) summary.shard = shardLabel(spec.shard);
  if (plan.slice) summary.slice = plan.slice;
  if (batch) summary.batch = batch;
  return summary;
}

/** Soft and hard stops from the caller (signals, in the CLI) reach the stopper. */
function listen(deps: RunDeps, stopper: Stopper): () => void {
  const { softStop, hardStop } = deps;
  const onSoft = () => stopper.stop('soft', 'signal', String(softStop?.reason ?? 'interrupted'));
  const onHard = () => stopper.stop('hard', 'signal', String(hardStop?.reason ?? 'interrupted'));
  if (softStop?.aborted) onSoft();
  if (hardStop?.aborted) onHard();
  softStop?.addEventListener('abort', onSoft, { once: true });
  hardStop?.addEventListener('abort', onHard, { once: true });
  return () => {
    softStop?.removeEventListener('abort', onSoft);
    hardStop?.removeEventListener('abort', onHard);
  };
}

/** Reordering needs room for a second copy; without it the rows stay, in completion order. */
function finishJournal(journal: { finish(): void }, deps: RunDeps): boolean {
  try {
    journal.finish();
    return true;
  } catch (error) {
    deps.onWarning?.(
      `${(error as Error).message}; every finished row is in the file, in the order it finished`,
    );
    return false;
  }
}
