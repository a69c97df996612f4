/**
 * The engine a spec asks for, ready to run: today the on-demand pool over a Bedrock Runtime client
 * (the caller's, the emulator's with --emulate, or one built from the credential chain).
 */
import type { Engine } from '../engines/engine.js';
import { OnDemandEngine } from '../engines/ondemand/engine.js';
import type { Stopper } from '../engines/stopper.js';
import type { JobSpec } from '../job/spec.js';
import type { RowPlan } from '../plan/plan.js';
import { openClient } from './client.js';
import type { RunDeps } from './deps.js';

export async function openEngine(
  spec: JobSpec,
  deps: RunDeps,
  plan: RowPlan,
  stopper: Stopper,
): Promise<Engine> {
  const opened = deps.client ? undefined : await openClient(spec, deps.env ?? process.env);
  const client = deps.client ?? (opened?.client as NonNullable<typeof opened>['client']);
  const engine = new OnDemandEngine(
    client,
    { api: spec.api, stream: spec.stream },
    {
      concurrency: spec.concurrency,
      adaptive: spec.adaptive,
      retry: { maxAttempts: spec.maxAttempts, baseMs: spec.backoffBaseMs, capMs: spec.backoffCapMs },
      requestTimeoutMs: spec.requestTimeoutMs,
      ...(spec.rpm === undefined ? {} : { rpm: spec.rpm }),
      ...(spec.tpm === undefined ? {} : { tpm: spec.tpm }),
    },
    plan.largestReservation,
    { soft: stopper.soft, hard: stopper.hard },
  );
  return {
    run: (work) => engine.run(work),
    get stats() {
      return engine.stats;
    },
    close: async () => {
      await engine.close();
      await opened?.close();
    },
  };
}
