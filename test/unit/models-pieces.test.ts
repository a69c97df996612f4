/**
 * The pure pieces of several models at once: fair slots (never more than the size in flight, a
 * freed slot to the members in turn, a waiter that gives up takes nothing), model slugs and file
 * names, the list's refusals, and the one order of exit codes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_ORDER_WORST_FIRST, worstExit } from '../../src/errors.js';
import { modelSlug, modelsOf, outputFor, resolveModels, withModelInOutput } from '../../src/job/models.js';
import { FairSlots, type Release } from '../../src/pool/fair-slots.js';

describe('FairSlots', () => {
  it('hands a freed slot to the members in turn, whoever queued first', async () => {
    const slots = new FairSlots(2);
    const [a, b, c] = [slots.member(), slots.member(), slots.member()];
    const held = [await a.acquire(), await a.acquire()] as Release[];
    const order: string[] = [];
    const wait = (name: string, member: typeof a) =>
      member.acquire().then((release) => {
        order.push(name);
        return release as Release;
      });
    // a queues three more before b and c queue one each: b and c still get the next two slots.
    const pending = [wait('a1', a), wait('a2', a), wait('a3', a), wait('b1', b), wait('c1', c)];
    for (const release of held) release();
    await Promise.resolve();
    expect(order).toEqual(['b1', 'c1']);
    const next = await Promise.all(pending.slice(3));
    for (const release of next) release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['b1', 'c1', 'a1', 'a2']);
    expect(slots.peak).toBe(2);
  });

  it('never has more than its size in flight, however many members ask', async () => {
    const slots = new FairSlots(3);
    const members = Array.from({ length: 4 }, () => slots.member());
    let inFlight = 0;
    let peak = 0;
    const call = async (member: (typeof members)[number]) => {
      const release = (await member.acquire()) as Release;
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      release();
    };
    await Promise.all(members.flatMap((m) => Array.from({ length: 10 }, () => call(m))));
    expect(peak).toBe(3);
    expect(slots.peak).toBe(3);
  });

  it('a waiter whose signal aborts takes nothing, and the slot goes to the next', async () => {
    const slots = new FairSlots(1);
    const [a, b] = [slots.member(), slots.member()];
    const first = (await a.acquire()) as Release;
    const stop = new AbortController();
    const gaveUp = a.acquire(stop.signal);
    const next = b.acquire();
    stop.abort();
    expect(await gaveUp).toBeUndefined();
    first();
    expect(typeof (await next)).toBe('function');
    expect(await b.acquire(AbortSignal.abort())).toBeUndefined();
  });

  it('refuses a size that is not a whole number from 1', () => {
    expect(() => new FairSlots(0)).toThrow('expected a whole number from 1 up, got 0');
  });
});

describe('model names', () => {
  it.each([
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'global.anthropic.claude-haiku-4-5-20251001-v1-0'],
    ['us.amazon.nova-pro-v1:0', 'us.amazon.nova-pro-v1-0'],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3', 'a1b2c3'],
    ['meta/llama 3', 'meta-llama-3'],
  ])('%s -> %s', (model, slug) => {
    expect(modelSlug(model)).toBe(slug);
  });

  it('reads -m as a comma-separated value or a job file list; fills {model} in -o', () => {
    expect(modelsOf({ model: 'a, b ,c' })).toEqual(['a', 'b', 'c']);
    expect(modelsOf({ model: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(modelsOf({})).toEqual([]);
    expect(outputFor('out/{model}.results.csv', 'us.amazon.nova-pro-v1:0')).toBe(
      'out/us.amazon.nova-pro-v1-0.results.csv',
    );
    expect(withModelInOutput({ model: 'x:1', output: 'r-{model}.csv' }).output).toBe('r-x-1.csv');
    expect(withModelInOutput({ model: 'x:1', output: 'r.csv' }).output).toBe('r.csv');
  });

  it('resolves one spec per model, each with its own file beside the input', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'models-'));
    writeFileSync(join(cwd, 'in.csv'), 'id,prompt\n1,hi\n');
    const runs = resolveModels(
      { input: 'in.csv', model: 'a.b:0,c', sample: '1', seed: '3' },
      { cwd, env: {} },
    );
    expect(runs.map((r) => [r.spec.model, r.spec.output])).toEqual([
      ['a.b:0', join(cwd, 'in.a.b-0.sample-1-s3.results.csv')],
      ['c', join(cwd, 'in.c.sample-1-s3.results.csv')],
    ]);
    // Each model's run writes its metrics file whole: one file per model, never one shared.
    const metrics = (file: string) =>
      resolveModels({ input: 'in.csv', model: 'a,b', 'metrics-file': file }, { cwd, env: {} }).map(
        (r) => r.spec.metricsFile,
      );
    expect(metrics('night.prom')).toEqual([join(cwd, 'night.a.prom'), join(cwd, 'night.b.prom')]);
    expect(metrics('night-{model}.prom')).toEqual([join(cwd, 'night-a.prom'), join(cwd, 'night-b.prom')]);
    const error = (raw: Record<string, unknown>) => {
      try {
        resolveModels({ input: 'in.csv', ...raw }, { cwd, env: {} });
      } catch (e) {
        return (e as Error).message;
      }
      return undefined;
    };
    expect(error({ model: 'a,b', output: 'r.csv' })).toMatch(/^--output r.csv names one results file/);
    expect(error({ model: 'a:0,a-0' })).toBe(
      '--model: a:0 and a-0 would share the results file name part "a-0"; run them separately',
    );
  });
});

describe('the order of exit codes', () => {
  it('is worst first: 70, 4, 3, 2, 1, 5, 0; and worstExit follows it', () => {
    expect(EXIT_ORDER_WORST_FIRST).toEqual([70, 4, 3, 2, 1, 5, 0]);
    for (const [i, worse] of EXIT_ORDER_WORST_FIRST.entries())
      for (const better of EXIT_ORDER_WORST_FIRST.slice(i)) {
        expect(worstExit(worse, better)).toBe(worse);
        expect(worstExit(better, worse)).toBe(worse);
      }
  });
});
