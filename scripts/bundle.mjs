#!/usr/bin/env node
/**
 * Bundles the command line (dist/main.js, tsc's output) and what it imports into dist/bundle/, for
 * the bin to load. Why: Node 20 has no compile cache, and resolving, reading and compiling the CLI's
 * ~900 module files (ours, yargs', the AWS SDK's) took ~120 ms of every start, most of what kept a
 * run's first call behind a hand-written SDK loop's. One file per lazy part (code splitting): the
 * emulator, the batch engine, the S3 client and Redis are still only loaded when a run uses them.
 * dist/ itself stays tsc's output, the library's entry (package.json "exports") and the tests'.
 *
 *   node scripts/bundle.mjs   # run by `npm run build`, after tsc
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');

/**
 * yargs finds its package.json (for a default --version) and its translations from where its own
 * file is. In a bundle, `import.meta.url` is the bundle's chunk: point it back at yargs' file in
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

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  // CommonJS packages in an ES module bundle call require() for Node's own modules: give them one.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
  },
  // Names and lines stay readable in an internal error's stack.
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [yargsAtHome],
});
