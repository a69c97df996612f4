/**
 * `run-batch show-request <input> --row ID`: the exact request a run would send for one row (the
 * operation, model and body), built by the run's own plan and call code, sending nothing.
 */
import { loadPriceTable } from '../cost/load.js';
import { displayPath, RunBatchError } from '../errors.js';
import { loadJob } from '../job/file.js';
import { modelsOf, severalModels } from '../job/models.js';
import type { OptionDef } from '../job/option-def.js';
import { type RawOptions, resolveRun } from '../job/resolve.js';
import type { JobSpec } from '../job/spec.js';
import { rowChecks } from '../plan/checks.js';
import { planRows } from '../plan/plan.js';
import { spoolIfOnceOnly } from '../plan/spool.js';
import { inputCopyOf } from '../remote/local-copy.js';
import { isS3Uri } from '../remote/uri.js';
import type { CommandIO } from './io.js';
import { wireRequest } from './show-request-wire.js';

export const SHOW_REQUEST_OPTIONS: readonly OptionDef<'show.row'>[] = [
  {
    flag: 'row',
    key: 'show.row',
    type: 'string',
    group: 'Input',
    commands: ['show-request'],
    describe: 'The id of the row whose request is shown (the --id-column value, else the row number)',
  },
];

export async function showRequestCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  const job = loadJob(raw, io.cwd);
  // -m a,b: each model's request in turn (its first line names the model).
  if (severalModels(job.raw)) {
    for (const [i, model] of modelsOf(job.raw).entries()) {
      if (i > 0) io.stdout('\n');
      await showRequestCommand({ ...job.raw, model }, io);
    }
    return 0;
  }
  // Every run option applies, resolved as `run` resolves them (batch setup is not needed).
  const { spec, values } = job.check(() =>
    resolveRun(job.raw, { cwd: io.cwd, env: io.env }, 'estimate', SHOW_REQUEST_OPTIONS),
  );
  const id = (values.show as { row?: string } | undefined)?.row;
  if (id === undefined) throw new RunBatchError('USAGE', 'show-request needs --row ID: the row to show');
  const label = isS3Uri(spec.input) ? spec.input : displayPath(spec.input, io.cwd);
  const onWarning = (message: string) => io.stderr(`run-batch: warning: ${message}\n`);
  // An S3 input: the local copy a run reads (src/remote/local-copy.ts).
  spec.input = await inputCopyOf(spec.input, io.env);
  // A pipe is read once: spooled, as a run spools it, since the plan reads the input twice.
  const input = await spoolIfOnceOnly(spec.input, label);
  try {
    return await show(id, spec, { path: input.path, label, onWarning }, io);
  } finally {
    input.dispose();
  }
}

async function show(
  id: string,
  spec: JobSpec,
  where: { path: string; label: string; onWarning: (message: string) => void },
  io: CommandIO,
): Promise<number> {
  const { label } = where;
  const prices = loadPriceTable(spec.pricing, spec.pricing && displayPath(spec.pricing, io.cwd));
  // The whole plan, so the row is checked and built exactly as a run would build it.
  const plan = await planRows(spec, {
    path: where.path,
    label,
    check: rowChecks(spec, prices, where.onWarning),
  });
  if (!plan.indexById.has(id))
    throw new RunBatchError(
      'INPUT',
      `${label}: no row with id "${id}"${plan.slice || spec.shard ? ' among the rows this run would send' : ''}`,
    );
  for await (const row of plan.rows()) {
    if (row.request.id !== id) continue;
    // The request metadata a run stamps on the call (--tag, run_id, row_id); each run has its own
    // id, so a stand-in is shown for it.
    const metadata = {
      tags: spec.tags ?? {},
      ...(spec.requestMetadata === false ? {} : { runId: SHOWN_RUN_ID }),
    };
    const wire = await wireRequest(row.request, {
      api: spec.api,
      stream: spec.stream,
      region: spec.region,
      metadata,
    });
    const headers = Object.entries(wire.headers).map(([name, value]) => `${name}: ${value}\n`);
    io.stdout(
      `${wire.method} ${decodeURIComponent(wire.path)}\n${headers.join('')}${JSON.stringify(wire.body, null, 2)}\n`,
    );
    return 0;
  }
  return 0;
}

/** Shown for `run_id` in the request metadata: every run sends its own. */
export const SHOWN_RUN_ID = 'EACH-RUN-ITS-OWN-ID';
