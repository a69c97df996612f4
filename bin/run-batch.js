#!/usr/bin/env -S node --max-semi-space-size=2
// A 2 MB young generation (Node's default is 16): the AWS SDK allocates a lot of short-lived
// garbage per call, and a smaller nursery collects it sooner, which keeps peak memory lower (see
// the memory benchmark) at no measurable cost in throughput.
//
// The CLI is one bundle with a V8 code cache beside it (scripts/bundle.mjs, run by `npm run build`):
// compiled from the cache, it starts in a fraction of the time its ~900 module files took, as Node
// 22's module compile cache would. A cache V8 does not take (another Node, other flags) only means
// compiling the bundle as usual.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

// Stop signals are heard from here on, while the bundle is read and compiled, and handed to the
// CLI's own handlers when they are in place (src/signals.ts): until then a signal would end the
// process with its default action (no exit code, no summary).
const early = { heard: [], stop: () => {} };
const hear = (signal) => early.heard.push(signal);
// The CLI's stop signals (STOP_SIGNALS, src/commands/io.ts), here before any of its modules load.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
for (const signal of SIGNALS) process.on(signal, hear);
early.stop = () => {
  for (const signal of SIGNALS) process.off(signal, hear);
};
globalThis[Symbol.for('run-batch.bin-signals')] = early;

const file = fileURLToPath(new URL('../dist/bundle/run-batch.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
let source;
try {
  source = readFileSync(file, 'utf8');
} catch {
  // No bundle (dist/ built by tsc alone): the same CLI from tsc's modules, only slower to start.
}
if (source === undefined) {
  await import('../dist/main.js');
} else {
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {}
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  // The build writes the cache after one real run (scripts/bundle.mjs), so it holds what a run
  // compiles; registered before the CLI's own exit handler, which ends the process.
  if (process.env.RUN_BATCH_WRITE_CODE_CACHE === '1') {
    process.once('exit', () => {
      writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
      renameSync(`${cacheFile}.tmp`, cacheFile);
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}
