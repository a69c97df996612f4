// Benchmark plumbing: the emulator in its own process, input files, and timed child processes.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const OUT = join(ROOT, 'bench/out');
const BIN = join(ROOT, 'bin/run-batch.js');
const HOOK = join(ROOT, 'bench/rss-hook.cjs');

export const FAKE_ENV = {
  PATH: process.env.PATH,
  HOME: OUT,
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Starts `run-batch emulator` with the given flags; resolves once it prints its URL. */
export function startEmulator(flags = []) {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', ...flags], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePromise, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /on (http:\/\/\S+)/.exec(text);
      if (match) {
        const url = match[1];
        resolvePromise({
          url,
          stats: async () => (await fetch(`${url}/__emulator/stats`)).json(),
          reset: async () => fetch(`${url}/__emulator/reset`, { method: 'POST' }),
          stop: () =>
            new Promise((done) => {
              child.once('exit', done);
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

/** A CSV of `n` prompts (id, prompt), about 200 characters each. */
export function makeRows(n, name = `rows-${n}.csv`) {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, name);
  const lines = ['id,prompt'];
  for (let i = 1; i <= n; i++) {
    lines.push(
      `R${i},"Classify ticket ${i} as billing, bug, account or other: the customer writes that the invoice for order ${i} shows a charge they do not recognise and asks for a refund."`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Runs a node script as a child process; resolves with wall time, exit code, stdout and peak RSS. */
export function timed(args, env) {
  const rssFile = join(OUT, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  // run-batch is started as a user starts it, through its bin's shebang (and its node flags);
  // the RSS hook rides in through NODE_OPTIONS.
  const [command, ...rest] = args[0] === BIN ? args : [process.execPath, ...args];
  const child = spawn(command, rest, {
    env: { ...env, BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${HOOK}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolvePromise) => {
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      let rssKb = 0;
      let cpuMs = 0;
      try {
        ({ rssKb, cpuMs } = JSON.parse(readFileSync(rssFile, 'utf8')));
        rmSync(rssFile);
      } catch {}
      resolvePromise({ ms, code, stdout, stderr, rssKb, cpuMs });
    });
  });
}

/**
 * One run into a fresh results file. A fresh answer ledger for every run, so a benchmark pays for
 * every call it times; `{ keepLedger: true }` keeps the last run's, to time reuse itself.
 */
export function runBatch(input, flags, env, { keepLedger = false } = {}) {
  const output = join(OUT, 'results.csv');
  rmSync(output, { force: true });
  const ledger = join(OUT, 'bench-ledger.db');
  if (!keepLedger) for (const suffix of ['', '-wal', '-shm']) rmSync(`${ledger}${suffix}`, { force: true });
  return timed([BIN, input, '-o', output, ...flags], { ...env, RUN_BATCH_LEDGER: ledger });
}

/**
 * The bare loop as a child process. Its wall time (`ms`) is the whole process, as run-batch's is.
 * The loop's own figure (`loopMs`: from after its imports and CSV parse to its last answer) leaves
 * out the start-up (about 0.3 s) that run-batch's wall time includes, so it is never compared.
 */
export async function bareLoop(input, concurrency, mode, env) {
  const result = await timed([join(ROOT, 'bench/bare-loop.mjs'), input, String(concurrency), mode], env);
  const line = result.stdout.trim().split('\n').pop() ?? '{}';
  const { ms: loopMs, ...counts } = JSON.parse(line);
  return { ...result, ...counts, loopMs };
}
