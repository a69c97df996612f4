/**
 * The engine a spec asks for, ready to run: the on-demand pool over a Bedrock Runtime client (the
 * caller's, the emulator's with --emulate, or one built from the credential chain), or Bedrock
 * Batch Inference jobs (--mode batch, or auto with enough rows), whose failed records go back
 * through an on-demand engine. The batch engine (the Bedrock and S3 clients) and the shared limiter
 * (ioredis) are loaded only when asked for: an on-demand run starts a fifth of a second sooner.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { isProfileArn, type ResolvedProfile } from '../bedrock/inference-profile-arn.js';
import { DEFAULT_BATCH_LIMITS, DEFAULT_POLL } from '../engines/batch/limits.js';
import { statePath } from '../engines/batch/names.js';
import { batchSettings, checkBatchSize, chooseMode } from '../engines/batch/settings.js';
import { removeState, rowsOwed } from '../engines/batch/state.js';
import type { Engine } from '../engines/engine.js';
import { OnDemandEngine } from '../engines/ondemand/engine.js';
import type { Stopper } from '../engines/stopper.js';
import { displayPath } from '../errors.js';
import { onDemandOnlyNote } from '../job/ondemand-only.js';
import type { JobSpec } from '../job/spec.js';
import { jobTags } from '../job/tag-options.js';
import type { RowPlan } from '../plan/plan.js';
import type { Slots } from '../pool/fair-slots.js';
import type { SharedLimiter } from '../pool/shared.js';
import { type OpenClient, openClient } from './client.js';
import type { RunDeps } from './deps.js';

/** The emulator finishes jobs in milliseconds: poll it as fast, not at Bedrock's pace. */
const EMULATOR_POLL = { firstMs: 100, maxMs: 1000, factor: 1.5 };

/** What the run hands the engine besides the spec: its id (request metadata) and where a resolved profile goes. */
export interface EngineHooks {
  runId?: string;
  onProfile?: (profile: ResolvedProfile) => void;
}

export async function openEngine(
  spec: JobSpec,
  deps: RunDeps,
  plan: RowPlan,
  stopper: Stopper,
  rowsToRun: number,
  hooks: EngineHooks = {},
): Promise<Engine & { client?: BedrockRuntimeClient }> {
  const { batch } = spec;
  // --guardrail or --attach: Batch Inference cannot take them, so auto runs on demand (batch was
  // refused already), and jobs an earlier run submitted without them are not collected into this one.
  const note = onDemandOnlyNote(batch.mode, spec);
  if (note !== undefined) deps.onInfo?.(note);
  const asked = note === undefined ? batch.mode : 'ondemand';
  // Rows a submitted job owes are collected from it, whatever their count: never re-paid on-demand.
  const owed = spec.fresh || asked === 'ondemand' ? 0 : rowsOwed(statePath(spec.output));
  const mode = batch.cancel || owed > 0 ? 'batch' : chooseMode(asked, rowsToRun, batch.minRecords);
  // Before anything is uploaded (or a client opened): too few rows for one job. Rows a job owes
  // count toward the minimum (rowsToRun has them); rows already answered do not.
  if (mode === 'batch' && batch.mode === 'batch' && !batch.cancel && owed === 0)
    checkBatchSize(rowsToRun, batch.minRecords);
  const opened = deps.client ? undefined : await openClient(spec, deps.env ?? process.env);
  if (spec.guardrail !== undefined) await guardrailSetup(spec, deps, opened);
  // -m an inference profile's ARN: its model and tags, before any row is sent (exit 2 if unknown).
  const profile = isProfileArn(spec.model)
    ? await import('./profile-setup.js')
        .then(({ resolveRunProfile }) => resolveRunProfile(spec, deps, opened))
        .catch(async (error) => {
          await opened?.close();
          throw error;
        })
    : undefined;
  if (profile) hooks.onProfile?.(profile);
  const client = deps.client ?? (opened as OpenClient).client;
  const limiter = spec.limiter === undefined ? undefined : await openLimiter(spec, client, deps);
  const onDemand = onDemandEngine(
    spec,
    client,
    plan,
    stopper,
    limiter,
    deps.onAttempt,
    deps.shared?.slots,
    hooks.runId,
  );
  // --judge (on demand only) calls through the same client.
  if (mode === 'ondemand') return Object.assign(withClose(onDemand, opened), { client });
  // --fresh starts over: the jobs of an earlier run of this output are forgotten, not collected.
  if (spec.fresh) removeState(statePath(spec.output));
  const { s3, roleArn } = batch;
  if (!s3 || !roleArn) throw new Error('batch options were not checked'); // resolveSpec requires both
  const tagged = jobTags(spec.tags ?? {});
  if (tagged.left.length > 0)
    deps.onWarning?.(
      `--tag ${tagged.left.join(', ')}: not put on the batch jobs (resource tags take no $ # , and keys up to 128 characters); the results' request_tags still have them`,
    );
  const [{ BatchEngine }, { createBatchClients }] = await Promise.all([
    import('../engines/batch/engine.js'),
    import('../engines/batch/clients.js'),
  ]);
  const engine = new BatchEngine({
    settings: batchSettings({
      output: spec.output,
      s3,
      roleArn,
      api: spec.api,
      wait: batch.wait,
      cancel: batch.cancel,
      strictMinimum: batch.mode === 'batch',
      limits: { ...DEFAULT_BATCH_LIMITS, minRecordsPerJob: batch.minRecords },
      poll: pollPolicy(deps.env ?? process.env, opened?.emulator !== undefined),
      ...(batch.timeoutHours === undefined ? {} : { timeoutHours: batch.timeoutHours }),
      ...(tagged.tags.length === 0 ? {} : { tags: tagged.tags }),
    }),
    clients: createBatchClients({
      region: spec.region,
      env: deps.env ?? process.env,
      ...(spec.profile === undefined ? {} : { profile: spec.profile }),
      ...(opened?.emulator
        ? { emulatorUrl: opened.emulator.url, credentials: opened.emulator.credentials }
        : {}),
    }),
    retry: batch.batchRetry,
    onDemand: async () => onDemand,
    inputLabel: displayPath(spec.input, deps.cwd ?? process.cwd()),
    // No jobs (every row answered already, or reused from the ledger): nothing to say.
    onJobs: (jobs) => {
      if (jobs.length === 0) return;
      deps.onInfo?.(
        jobs.map((j) => `batch job ${j.name}: ${j.status}, ${j.processed}/${j.records} records`).join('\n'),
      );
    },
    ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
  });
  return withClose(engine, opened);
}

/** --guardrail: GetGuardrail before any row is sent (engines/ondemand/guardrail-check.ts). */
async function guardrailSetup(spec: JobSpec, deps: RunDeps, opened: OpenClient | undefined): Promise<void> {
  const guardrail = spec.guardrail as NonNullable<JobSpec['guardrail']>;
  const { checkGuardrail } = await import('../engines/ondemand/guardrail-check.js');
  try {
    const checked = await checkGuardrail(
      guardrail,
      {
        region: spec.region,
        env: deps.env ?? process.env,
        ...(spec.profile === undefined ? {} : { profile: spec.profile }),
        ...(opened?.emulator
          ? { emulatorUrl: opened.emulator.url, credentials: opened.emulator.credentials }
          : {}),
        ...(spec.endpoint === undefined ? {} : { runtimeEndpoint: spec.endpoint }),
      },
      deps.onWarning,
    );
    if (checked)
      deps.onInfo?.(
        `guardrail ${checked.name ?? guardrail.id} version ${checked.version ?? guardrail.version}${checked.status ? ` (${checked.status})` : ''}`,
      );
  } catch (error) {
    await opened?.close();
    throw error;
  }
}

/**
 * How often jobs are polled: Bedrock's pace, the emulator's (it finishes jobs in milliseconds), or
 * RUN_BATCH_POLL_MS for the first wait (tests, and the impatient), growing as Bedrock's does.
 */
function pollPolicy(env: NodeJS.ProcessEnv, emulated: boolean) {
  const ms = Number(env.RUN_BATCH_POLL_MS);
  if (Number.isInteger(ms) && ms >= 10) return { ...DEFAULT_POLL, firstMs: ms, maxMs: Math.max(ms, 1000) };
  return emulated ? { ...DEFAULT_POLL, ...EMULATOR_POLL } : DEFAULT_POLL;
}

/** `--limiter`: the Redis every runner on this account, region and model shares its limits through. */
async function openLimiter(
  spec: JobSpec,
  client: BedrockRuntimeClient,
  deps: RunDeps,
): Promise<SharedLimiter> {
  const { accessKeyId } = await client.config.credentials();
  const { connectLimiter, limiterKey } = await import('../pool/shared.js');
  return connectLimiter({
    url: spec.limiter as string,
    key: limiterKey({
      ...(spec.limiterKey === undefined ? {} : { account: spec.limiterKey }),
      accessKeyId,
      region: spec.region,
      model: spec.model,
    }),
    // An attempt settles within the request timeout; a reservation older than that was a dead runner's.
    reservationTtlMs: spec.requestTimeoutMs + 5000,
    ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
  });
}

function onDemandEngine(
  spec: JobSpec,
  client: BedrockRuntimeClient,
  plan: RowPlan,
  stopper: Stopper,
  limiter: SharedLimiter | undefined,
  onAttempt: RunDeps['onAttempt'],
  slots: Slots | undefined,
  runId: string | undefined,
): Engine {
  // --tag, and run_id and row_id unless --no-request-metadata (bedrock/request-metadata.ts).
  const metadata = { tags: spec.tags ?? {}, ...(spec.requestMetadata !== false && runId ? { runId } : {}) };
  return new OnDemandEngine(
    client,
    { api: spec.api, stream: spec.stream, metadata },
    {
      ...(limiter ? { limiter } : {}),
      ...(slots ? { slots } : {}),
      concurrency: spec.concurrency,
      adaptive: spec.adaptive,
      retry: { maxAttempts: spec.maxAttempts, baseMs: spec.backoffBaseMs, capMs: spec.backoffCapMs },
      requestTimeoutMs: spec.requestTimeoutMs,
      ...(spec.rpm === undefined ? {} : { rpm: spec.rpm }),
      ...(spec.tpm === undefined ? {} : { tpm: spec.tpm }),
    },
    plan.largestReservation,
    { soft: stopper.soft, hard: stopper.hard },
    onAttempt && ((row, event) => onAttempt(row.request, event)),
  );
}

/** The engine, closing what was opened for it too. */
function withClose(engine: Engine, opened: OpenClient | undefined): Engine {
  return {
    run: (work) => engine.run(work),
    ...(engine.keep ? { keep: (row) => engine.keep?.(row) } : {}),
    get stats() {
      return engine.stats;
    },
    close: async () => {
      await engine.close();
      await opened?.close();
    },
  };
}
