/**
 * runBatch: the whole job as a function. Scan the input (nothing is sent if any row is bad), then
 * stream the rows through the pool, write each finished row to the results file the moment it
 * completes, and return the summary. The CLI prints it; tests call this directly.
 */
import { relative } from 'node:path';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import pLimit from 'p-limit';
import { checkCredentials, createClient } from '../bedrock/client.js';
import { converse } from '../bedrock/converse.js';
import { classifyError } from '../bedrock/errors.js';
import { Pricer } from '../cost/cost.js';
import { loadPriceTable } from '../cost/load.js';
import { ExitCode } from '../errors.js';
import { requestBuilder } from '../input/request.js';
import { openSource } from '../input/source.js';
import type { JobSpec } from '../job/spec.js';
import { Journal } from '../output/journal.js';
import { headerText, makeLayout, recordText } from '../output/layout.js';
import type { PromptRequest, ResultRecord } from '../types.js';
import { errorRecord, okRecord } from './records.js';
import { scanInput } from './scan.js';
import { type RunSummary, Tally } from './summary.js';

export interface RunDeps {
  /** A ready client (tests, --emulate); otherwise one is built from the spec. */
  client?: BedrockRuntimeClient;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called after every finished row. */
  onProgress?: (progress: Progress) => void;
  /** Something the user should know that does not stop the run (an unpriced model, a stale lock). */
  onWarning?: (message: string) => void;
}

export interface Progress {
  total: number;
  done: number;
  ok: number;
  error: number;
  skipped: number;
}

export async function runBatch(spec: JobSpec, deps: RunDeps = {}): Promise<RunSummary> {
  const startedAt = new Date();
  const env = deps.env ?? process.env;
  const label = displayPath(spec.input, deps.cwd ?? process.cwd());
  const pricing =
    spec.pricing === undefined ? undefined : displayPath(spec.pricing, deps.cwd ?? process.cwd());
  const pricer = new Pricer(loadPriceTable(spec.pricing, pricing), deps.onWarning);
  const source = openSource(spec.input, spec.inputFormat, label);
  const build = requestBuilder({
    label,
    format: spec.inputFormat,
    promptColumn: spec.promptColumn,
    model: spec.model,
    inference: {
      maxTokens: spec.maxTokens,
      stopSequences: spec.stop,
      ...(spec.temperature === undefined ? {} : { temperature: spec.temperature }),
      ...(spec.topP === undefined ? {} : { topP: spec.topP }),
      ...(spec.topK === undefined ? {} : { topK: spec.topK }),
    },
    ...(spec.template === undefined ? {} : { template: spec.template }),
    ...(spec.system === undefined ? {} : { system: spec.system }),
    ...(spec.idColumn === undefined ? {} : { idColumn: spec.idColumn }),
  });
  const scan = await scanInput(source, build, label);

  const client = deps.client ?? createClient(clientOptions(spec));
  if (!deps.client) await checkCredentials(client, env);

  const layout = makeLayout(spec.outputFormat, scan.columns, false);
  const journal = new Journal(spec.output, headerText(layout), scan.rowCount);
  const tally = new Tally();
  const limit = pLimit(spec.concurrency);
  const running = new Set<Promise<void>>();

  const finishRow = (request: PromptRequest, record: ResultRecord) => {
    record.cost_usd = pricer.recordCost(record);
    // On disk first; only then counted.
    journal.append(request.index, recordText(layout, record, request.row));
    tally.add(record);
    deps.onProgress?.({
      total: scan.rowCount,
      done: tally.done,
      ok: tally.ok,
      error: tally.error,
      skipped: tally.skipped,
    });
  };

  try {
    for await (const row of source.rows()) {
      const request = build(row, source.columns());
      // Backpressure: read no further ahead than the pool can use.
      while (running.size >= spec.concurrency * 2) await Promise.race(running);
      const task = limit(() => callRow(client, request)).then((record) => finishRow(request, record));
      running.add(task);
      void task.finally(() => running.delete(task));
    }
    await Promise.all(running);
    journal.finish();
  } catch (error) {
    journal.close();
    throw error;
  }

  const exitCode = tally.error > 0 ? ExitCode.RowsFailed : ExitCode.Ok;
  return tally.summarize({
    input: spec.input,
    output: spec.output,
    total: scan.rowCount,
    startedAt,
    finishedAt: new Date(),
    exitCode,
  });
}

async function callRow(client: BedrockRuntimeClient, request: PromptRequest): Promise<ResultRecord> {
  const started = performance.now();
  const controller = new AbortController();
  try {
    const result = await converse(client, request, controller.signal);
    return okRecord(request, result, meta(1, started), false);
  } catch (error) {
    return errorRecord(request, classifyError(error), meta(1, started), false);
  }
}

function meta(attempts: number, started: number) {
  return { attempts, latencyMs: performance.now() - started, finishedAt: new Date() };
}

function clientOptions(spec: JobSpec) {
  return {
    region: spec.region,
    maxSockets: spec.concurrency,
    ...(spec.profile === undefined ? {} : { profile: spec.profile }),
    ...(spec.endpoint === undefined ? {} : { endpoint: spec.endpoint }),
  };
}

/** Paths in messages are relative to where the user ran the command, when that is shorter. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}
