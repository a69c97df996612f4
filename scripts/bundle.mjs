#!/usr/bin/env node
/**
 * Bundles the command line (dist/main.js, tsc's output) and what it imports into one classic script,
 * dist/bundle/run-batch.cjs, and primes V8's code cache for it (run-batch.cjs.cache), for the bin
 * to load (bin/run-batch.js). Why: Node 20 has no module compile cache, and resolving, reading and
 * compiling the CLI's ~900 module files (ours, yargs', the AWS SDK's) was most of what kept a run's
 * first call behind a hand-written SDK loop's. The cache is written by one real run on the built-in
 * emulator, so it holds what a run compiles (reading, checking, calling, writing), not only the
 * top level. Lazy parts (the emulator, the batch engine, S3, Redis) are still only run when used.
 * The SDK's ES module builds are taken (mainFields), so esbuild leaves out what is never imported.
 * dist/ itself stays tsc's output, the library's entry (package.json "exports") and the tests'.
 *
 *   node scripts/bundle.mjs   # run by `npm run build`, after tsc
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');

/**
 * yargs finds its package.json (for a default --version) and its translations from where its own
 * file is. In the bundle, `import.meta.url` is the bundle's own URL: point it back at yargs' file in
 * node_modules, so yargs looks where it always did instead of walking up from the user's directory.
 */
const yargsAtHome = {
  name: 'yargs-at-home',
  setup(plugin) {
    plugin.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      const fromBundle = `../../node_modules/yargs/lib/platform-shims/esm.mjs`;
      const text = readFileSync(args.path, 'utf8');
      const patched = text.replace(
        'fileURLToPath(import.meta.url)',
        `fileURLToPath(new URL(${JSON.stringify(fromBundle)}, import.meta.url))`,
      );
      if (patched === text) throw new Error(`${args.path}: yargs' shim changed; update scripts/bundle.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

/**
 * string-width (yargs', cliui's and wrap-ansi's copies) makes an Intl.Segmenter when it is loaded,
 * which loads ICU's break data: about 10 ms of every start, for help text a run never prints. The
 * bundle makes it on first use instead.
 */
const segmenterOnUse = {
  name: 'segmenter-on-use',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      // Older copies (cli-progress' string-width 4) have no segmenter.
      if (!text.includes('Intl.Segmenter')) return undefined;
      const patched = text.replace(
        'const segmenter = new Intl.Segmenter();',
        'let made; const segmenter = { segment: (text) => (made ??= new Intl.Segmenter()).segment(text) };',
      );
      if (patched === text) throw new Error(`${args.path}: string-width changed; update scripts/bundle.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const bundle = join(outdir, 'run-batch.cjs');
await build({
  entryPoints: [join(root, 'dist/main.js')],
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  // A native addon (the answer ledger's SQLite) finds its .node file from its own directory: it is
  // required from node_modules, not bundled.
  // OpenTelemetry (--otel only) is required from node_modules when a run asks for it: bundled, it
  // was 180 KB more for every start to read, for a flag few runs give.
  external: ['better-sqlite3', '@opentelemetry/*'],
  // import() of Node's own modules (the SDK has a few) as require(): a vm.Script's dynamic import
  // needs a loader callback that Node 20 still calls experimental (a warning on every run).
  // Regular expressions with the v flag (string-width's) stay literals, which Node 20 runs: lowered
  // to `new RegExp(...)` they are built when loaded, /^\p{RGI_Emoji}$/v alone in 15 ms.
  supported: { 'dynamic-import': false, 'regexp-set-notation': true },
  // A classic script has no import.meta: its URL is the bundle's own, from the loader's __filename.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Names and lines stay readable in an internal error's stack.
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [yargsAtHome, segmenterOnUse],
});

// Prime the code cache: a small job on the emulator, through the bin as users start it (the cache
// is only taken with the same V8 flags, and the shebang sets one).
const scratch = mkdtempSync(join(tmpdir(), 'run-batch-prime-'));
try {
  const primed = spawnSync(
    join(root, 'bin/run-batch.js'),
    [join(root, 'fixtures/prompts.csv'), '--emulate', '-o', join(scratch, 'results.csv'), '--quiet'],
    {
      cwd: scratch,
      env: {
        ...process.env,
        RUN_BATCH_WRITE_CODE_CACHE: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
        // Its answers go to a scratch ledger, not the user's.
        RUN_BATCH_LEDGER: join(scratch, 'ledger.db'),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 60_000,
    },
  );
  // Without a cache the CLI only starts slower: say so, and let the build go on.
  if (primed.status !== 0 || statSync(`${bundle}.cache`, { throwIfNoEntry: false }) === undefined)
    console.warn(
      `scripts/bundle.mjs: no code cache (the priming run exited with ${primed.status ?? primed.signal}); the CLI will start slower`,
    );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
