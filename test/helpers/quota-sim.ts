/**
 * A deterministic, simulated-time model of a client behind the AdaptiveController talking to a
 * server that enforces a requests-per-second quota with a token bucket (as the emulator does).
 * Used to check the controller's algorithm by counting: no timers, no sockets.
 */
import { AdaptiveController } from '../../src/pool/adaptive.js';

export interface SimOptions {
  /** Server quota, requests per second. */
  quotaRps: number;
  /** Server burst capacity, in seconds of quota. */
  burstSeconds: number;
  concurrency: number;
  latencyMs: number;
  rows: number;
  /** A throttled row waits this long before it is tried again. */
  retryDelayMs: number;
}

export interface SimResult {
  seconds: number;
  attempts: number;
  throttles: number;
  finalRate: number | undefined;
}

export function simulate(o: SimOptions): SimResult {
  let now = 0;
  let rate: number | undefined;
  let concurrency = o.concurrency;
  const controller = new AdaptiveController(
    { setRate: (r) => (rate = r), setConcurrency: (n) => (concurrency = n) },
    { maxConcurrency: o.concurrency, now: () => now },
  );
  let bucket = o.quotaRps * o.burstSeconds;
  const capacity = bucket;
  let clientTokens = 1;
  let nextRow = 0;
  let done = 0;
  let attempts = 0;
  let throttles = 0;
  const retryAt: number[] = [];
  const inflight: Array<{ at: number; ok: boolean; handle: ReturnType<AdaptiveController['dispatched']> }> =
    [];
  const dt = 1;
  while (done < o.rows && now < 600_000) {
    now += dt;
    bucket = Math.min(capacity, bucket + (o.quotaRps * dt) / 1000);
    if (rate !== undefined) clientTokens = Math.min(1, clientTokens + (rate * dt) / 1000);
    for (let i = inflight.length - 1; i >= 0; i--) {
      const call = inflight[i];
      if (!call || call.at > now) continue;
      inflight.splice(i, 1);
      controller.done(call.handle, call.ok ? 'ok' : 'throttle');
      if (call.ok) done++;
      else retryAt.push(now + o.retryDelayMs);
    }
    while (inflight.length < concurrency) {
      const retryIndex = retryAt.findIndex((t) => t <= now);
      if (retryIndex < 0 && nextRow >= o.rows) break;
      if (rate !== undefined && clientTokens < 1) break;
      if (retryIndex >= 0) retryAt.splice(retryIndex, 1);
      else nextRow++;
      if (rate !== undefined) clientTokens -= 1;
      attempts++;
      const handle = controller.dispatched();
      const ok = bucket >= 1;
      if (ok) bucket -= 1;
      else throttles++;
      inflight.push({ at: now + (ok ? o.latencyMs : 2), ok, handle });
    }
  }
  return { seconds: now / 1000, attempts, throttles, finalRate: rate };
}
