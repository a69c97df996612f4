/** How `estimate` prints: lines for people, or JSON with exact figures for scripts. */
import { cacheComparisonJson, cacheComparisonLines } from '../cost/cache-estimate.js';
import { dollars, exactUsd, grouped } from '../cost/money.js';
import type { Estimate } from '../plan/estimate.js';
import { duration } from '../progress/format.js';

const n = grouped;

/** Batch mode: how long jobs may take (Bedrock's job timeout), instead of the on-demand bound. */
export interface BatchDuration {
  timeoutHours: number;
}

export function estimateText(e: Estimate, batch?: BatchDuration): string {
  const lines = [
    `rows      ${n(e.rows)}, all valid (${e.input})` +
      (e.slice ? `; slice: ${e.slice}` : '') +
      (e.answered
        ? `; ${n(e.answered)} more left out: the answer ledger already answers them (no call)`
        : ''),
    `input     ${n(e.inputTokens)} tokens (${e.counted === 'api' ? 'counted by Bedrock CountTokens' : 'local estimate, 4 characters per token'})`,
    `output    0 to ${n(e.maxOutputTokens)} tokens (max_tokens of every row)`,
    `cost      ${dollars(e.minCost)} to ${dollars(e.maxCost)}${e.unpricedRows > 0 ? ` for the priced rows, ${n(e.unpricedRows)} rows unpriced` : ''} (prices as of ${e.pricesAsOf})`,
  ];
  if (e.byModel.length > 1 || e.unpricedRows > 0) {
    for (const m of e.byModel) {
      const cost =
        m.minCost === null || m.maxCost === null
          ? 'unpriced'
          : `${dollars(m.minCost)} to ${dollars(m.maxCost)}`;
      lines.push(`          ${cost}  ${m.model} (${n(m.rows)} rows)`);
    }
  }
  if (e.batch !== undefined)
    lines.push(
      e.batch === null
        ? 'batch     unpriced: a model has no batch price in the table'
        : `batch     ${dollars(e.batch.minCost)} to ${dollars(e.batch.maxCost)} as Bedrock Batch Inference jobs (--mode batch), against the on-demand range above`,
    );
  if (e.cache) lines.push(...cacheComparisonLines(e.cache, (pico) => dollars(pico)));
  if (batch) {
    lines.push(
      `duration  batch jobs usually take hours, up to their timeout of ${batch.timeoutHours}h (--batch-timeout-hours); Bedrock schedules them, the on-demand bounds do not apply`,
    );
    return `${lines.join('\n')}\n`;
  }
  const d = e.duration;
  const terms = {
    concurrency: `${n(e.rows)} rows x ${n(d.latencyMs)} ms a call / ${n(d.concurrency)} at once = ${time(d.concurrencySeconds)}`,
    rpm:
      d.rpmSeconds === null
        ? 'no --rpm given'
        : `${n(e.rows)} rows / ${n(d.rpm ?? 0)} a minute = ${time(d.rpmSeconds)}`,
    tpm:
      d.tpmSeconds === null
        ? 'no --tpm given'
        : `${n(e.inputTokens + e.maxOutputTokens)} tokens reserved (input + max_tokens) / ${n(d.tpm ?? 0)} a minute = ${time(d.tpmSeconds)}`,
  };
  lines.push(`duration  at least ${time(d.seconds)}, bound by ${d.bound}: ${terms[d.bound]}`);
  for (const key of ['rpm', 'tpm', 'concurrency'] as const) {
    if (key !== d.bound) lines.push(`          ${key}: ${terms[key]}`);
  }
  return `${lines.join('\n')}\n`;
}

export function estimateJson(e: Estimate, batch?: BatchDuration): string {
  const usd = (pico: bigint | null) => (pico === null ? null : Number(exactUsd(pico)));
  return `${JSON.stringify(
    {
      ...e,
      byModel: e.byModel.map((m) => ({
        ...m,
        minCost: undefined,
        maxCost: undefined,
        minCostUsd: usd(m.minCost),
        maxCostUsd: usd(m.maxCost),
        batchMinCost: undefined,
        batchMaxCost: undefined,
        batchMinCostUsd: usd(m.batchMinCost),
        batchMaxCostUsd: usd(m.batchMaxCost),
      })),
      batch:
        e.batch === undefined
          ? undefined
          : e.batch === null
            ? null
            : { minCostUsd: usd(e.batch.minCost), maxCostUsd: usd(e.batch.maxCost) },
      minCost: undefined,
      maxCost: undefined,
      minCostUsd: usd(e.minCost),
      maxCostUsd: usd(e.maxCost),
      cache: e.cache ? cacheComparisonJson(e.cache) : undefined,
      // Batch jobs take hours, up to their timeout: the on-demand bound would mislead.
      duration: batch ? { mode: 'batch', upToHours: batch.timeoutHours } : e.duration,
    },
    null,
    2,
  )}\n`;
}

/** 3.1s, 12m05s, 3h12m: the CLI's one duration format. */
export function time(seconds: number): string {
  return duration(seconds, { tenths: true });
}
